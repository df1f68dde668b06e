"""The correction-case fixtures (person_id, female_id, ...) come from tests/helpers.py, a
plugin every test gets."""
