# Two commands set everything up on a fresh machine with Python 3.10+ and make:
#   make demo   - install, migrate, load demo content, serve http://127.0.0.1:8000
#   make test   - install the testing extras and run the whole test suite

# The first Python 3.10+ found; override with `make demo PYTHON=python3.12`.
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11 python3.10; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
	&& echo $$p && break; done)
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python example_site/manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test lint format messages clean help

help:
	@echo "make demo   run the demo site on http://$(HOST):$(PORT)"
	@echo "make test   run the whole test suite (DATABASE_URL selects PostgreSQL)"
	@echo "make lint   ruff check and format check"
	@echo "make messages  update and compile the nb and nn catalogues"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.10 or newer is needed (none found on PATH)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-demo: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[example]"
	@touch $@

$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[testing,example]"
	@touch $@ $(VENV)/.installed-demo

demo: $(VENV)/.installed-demo
	$(MANAGE) migrate --noinput
	$(MANAGE) selvhjelp_demo
	$(MANAGE) demo_admin --url http://$(HOST):$(PORT)/admin/
	$(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(VENV)/.installed-test
	cd wagtail_selvhjelp && ../$(BIN)/django-admin makemessages --no-obsolete --no-location -l nb -l nn
	cd wagtail_selvhjelp && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) build dist *.egg-info
