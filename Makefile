# Two commands: `make start` (install, then chat or run the bot) and `make test` (install, then
# ruff, mypy and pytest). Installing is repeated only when pyproject.toml changes.
# `make test-postgres` runs pytest again with a PostgreSQL database per test: on the server
# WEGWIJS_TEST_POSTGRES names, or else on a throw-away one (scripts/with-postgres).
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: start test test-postgres

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

start: $(STAMP)
	$(PY) main.py

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

test-postgres: $(STAMP)
ifdef WEGWIJS_TEST_POSTGRES
	$(VENV)/bin/pytest
else
	scripts/with-postgres $(VENV)/bin/pytest
endif
