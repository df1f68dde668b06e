# Two commands: `make run` (set up, migrate, load the demo county, serve) and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test setup translations lint test-sqlite test-postgresql test-face face-eval extract-messages clean

setup: $(VENV)/.installed translations

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d corrections/translations

run: setup
	APP_ENV=development $(BIN)/flask db upgrade
	APP_ENV=development $(BIN)/flask demo --if-empty
	@echo ""
	@echo "  社区矫正与安置帮教 — http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password demo-county-2026):"
	@echo "    admin    系统管理员 (admin)"
	@echo "    zhuguan  县局主管 (supervisor)"
	@echo "    jiancha  检察院只读 (viewer)"
	@echo "    chen     城关司法所 (officer)"
	@echo "    li       东山司法所 (officer)"
	@echo "    zhou     南溪、北岭司法所 (officer)"
	@echo "  Self check-in (phones): http://$(HOST):$(PORT)/my/login  phone 1390000xxxx, PIN 135790"
	@echo ""
	APP_ENV=development $(BIN)/flask jobs run-once daily_reminders > /dev/null
	@echo "  The scheduler (reminders, nightly recompute, audit anchors) runs beside the web server."
	@APP_ENV=development $(BIN)/flask jobs run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	APP_ENV=development $(BIN)/flask run --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-sqlite: setup
	TEST_DATABASE=sqlite $(BIN)/pytest

test-postgresql: setup
	TEST_DATABASE=postgresql $(BIN)/pytest

test: lint test-sqlite test-postgresql

# The local face check (docs/domain.md §7.12) needs the optional extra (prebuilt dlib wheels and
# ~130 MB of models, nothing compiles); its tests and bench/face_eval.py take their photos
# from scikit-image and matplotlib. Not part of `make test`, which skips the model's tests.
test-face: setup
	$(BIN)/pip install --quiet -e '.[face]' scikit-image matplotlib
	TEST_DATABASE=sqlite RUN_FACE_TESTS=1 $(BIN)/pytest -o addopts="" -q tests/checkin/test_face.py

face-eval: test-face
	$(BIN)/python -m bench.face_eval

extract-messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o corrections/translations/messages.pot .
	$(BIN)/pybabel update -i corrections/translations/messages.pot -d corrections/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
