# Two commands set everything up on a fresh machine with Python 3.10+ and make:
#   make demo   - install, migrate, load demo content, serve two municipalities:
#                 Fjellbygd (bokmål) on http://127.0.0.1:8000 and Lauvdal
#                 (nynorsk) on http://localhost:8000 (HOST, HOST_NN and PORT
#                 change where; SELVHJELP_REQUIRE_2FA=1 asks admin users for a
#                 second factor, as production does)
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
# The nynorsk municipality's host name on the same server; empty: localhost
# (127.0.0.1 when HOST is localhost).
HOST_NN ?=
PYTEST_ARGS ?=
# The settings read HOST, HOST_NN and PORT, so links in e-mails point at this server.
DEMO_ENV := HOST=$(HOST) PORT=$(PORT) HOST_NN=$(HOST_NN)
# pip -qq: errors only (setuptools' notes on editable installs are not errors).
PIP_INSTALL := $(BIN)/python -m pip install -qq

.PHONY: demo test lint format messages clean help

help:
	@echo "make demo   run the demo: bokmål on http://$(HOST):$(PORT), nynorsk on http://$(or $(HOST_NN),localhost):$(PORT)"
	@echo "make test   run the whole test suite (DATABASE_URL selects PostgreSQL)"
	@echo "make lint   ruff check and format check"
	@echo "make messages  update and compile the nb and nn catalogues"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.10 or newer is needed (none found on PATH)." >&2; exit 1; }
	@echo "Creating the virtualenv $(VENV) with $(PYTHON)..."
	@$(PYTHON) -m venv $(VENV)
	@$(PIP_INSTALL) --upgrade pip

$(VENV)/.installed-demo: $(BIN)/python setup.cfg pyproject.toml
	@echo "Installing wagtail-selvhjelp and the example site's packages..."
	@$(PIP_INSTALL) -e ".[example]"
	@touch $@

$(VENV)/.installed-test: $(BIN)/python setup.cfg pyproject.toml
	@echo "Installing wagtail-selvhjelp with its testing and example packages..."
	@$(PIP_INSTALL) -e ".[testing,example]"
	@touch $@ $(VENV)/.installed-demo

# demo_admin first: it points the Sites at HOST:PORT and HOST_NN:PORT, so the
# links in the invitations the demo sends while loading lead to this server.
# The system checks run once, in demo_server: runserver that prints the
# address and how to sign in last, once it listens.
demo: $(VENV)/.installed-demo
	@echo "Preparing the database and the demo content..."
	@$(DEMO_ENV) $(MANAGE) migrate --noinput --verbosity 0 --skip-checks
	@$(DEMO_ENV) $(MANAGE) demo_admin --verbosity 0 --skip-checks
	@$(DEMO_ENV) $(MANAGE) selvhjelp_demo --skip-checks
	@$(DEMO_ENV) $(MANAGE) demo_server $(HOST):$(PORT)

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
