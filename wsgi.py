"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi …``."""

from corrections import create_app

app = create_app()
