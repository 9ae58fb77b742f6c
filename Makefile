# Layanan SPBE — the two commands of the README, and their helpers.
# `make run` starts the application; `make test` runs the whole suite.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test install install-dev lint fmt bench clean messages

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

## Run the application: web on http://127.0.0.1:8000, worker and scheduler.
run: $(STAMP)
	$(PY) -m spbe.launcher

## Run the whole suite: lint, checks, tests on SQLite and PostgreSQL.
test: $(DEV_STAMP)
	$(PY) -m spbe.testrun

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Regenerate the English catalogue after changing UI text (needs GNU gettext).
messages: $(DEV_STAMP)
	$(PY) manage.py makemessages -l en --no-obsolete --ignore=.venv --ignore=var

bench: $(DEV_STAMP)
	$(PY) -m pip install --quiet -r bench/requirements.txt
	$(PY) bench/sla_engine.py
	$(PY) bench/impact.py

clean:
	rm -rf $(VENV) var
