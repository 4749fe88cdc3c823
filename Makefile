# Marquee — the two set-up commands are `make run` and `make test` (README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
# The Lambda runtime we ship is Python 3.12 (the first with SnapStart for Python).
PYTHON312 ?= $(shell command -v python3.12 2>/dev/null || ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -n 1)

.PHONY: help run test lint migrate seed

# Parts of the build live beside what they build; each appends its prerequisites here.
RUN_PREREQS :=
TEST_PREREQS :=
-include frontend/frontend.mk
-include staff/staff.mk
-include deploy/deploy.mk
-include bench/bench.mk
-include languages/languages.mk

help:
	@echo "make run   - set up and serve Marquee on http://127.0.0.1:$(PORT)"
	@echo "make test  - set up and run every test"
	@echo "make screenshots - refresh the pictures in docs/screenshots/"
	@echo "make messages - extract and compile the French and English catalogues"

$(PY):
	@if [ -z "$(PYTHON312)" ]; then \
	  echo "Python 3.12 is needed (the Lambda runtime Marquee ships on)."; \
	  echo "Install it, e.g. 'pyenv install 3.12' or 'apt-get install python3.12 python3.12-venv',"; \
	  echo "or point PYTHON312=/path/to/python3.12 at one."; exit 1; fi
	$(PYTHON312) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.base-installed: requirements/base.txt requirements/local.txt | $(PY)
	$(PIP) install -r requirements/local.txt
	@touch $@

$(VENV)/.dev-installed: requirements/base.txt requirements/local.txt requirements/dev.txt | $(PY)
	$(PIP) install -r requirements/dev.txt
	@touch $@ $(VENV)/.base-installed

migrate: $(VENV)/.base-installed
	@mkdir -p var
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py seed_demo

LOCALSTRIPE_PORT ?= 8420

# Links in the emails follow the server's address (SITE_URL, unless set).
# Without STRIPE_SECRET_KEY, paid checkouts go to localstripe (a fake Stripe), started here
# and stopped with the server; pay with 4242 4242 4242 4242, any future date and CVC.
run: seed $(RUN_PREREQS)
	@echo
	@echo "  Marquee:  http://127.0.0.1:$(PORT)/"
	@echo "  Admin:    http://127.0.0.1:$(PORT)/admin/   user: admin   password: marquee-demo"
	@echo "  Staff roles (same password): door (Door), boxoffice (Box office), manager (Manager)"
	@if [ -z "$$STRIPE_SECRET_KEY" ]; then \
	  echo "  Payments: localstripe on :$(LOCALSTRIPE_PORT) (test card 4242 4242 4242 4242)"; fi
	@echo
	@trap 'kill $$(jobs -p) 2>/dev/null' EXIT; \
	if [ -z "$$STRIPE_SECRET_KEY" ]; then \
	  $(VENV)/bin/localstripe --port $(LOCALSTRIPE_PORT) >var/localstripe.log 2>&1 & \
	  LOCALSTRIPE_PORT=$(LOCALSTRIPE_PORT) $(PY) manage.py localstripe_webhook \
	    --url http://127.0.0.1:$(PORT) || exit 1; \
	fi; \
	LOCALSTRIPE_PORT=$(LOCALSTRIPE_PORT) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.dev-installed $(TEST_PREREQS)
	$(PY) -m pytest

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run

schema: $(VENV)/.dev-installed  ## regenerate the committed OpenAPI document
	DJANGO_SETTINGS_MODULE=project.settings.test $(PY) manage.py spectacular --file openapi.yaml --validate --fail-on-warn

audit: $(VENV)/.dev-installed  ## the slower fuzzing depths (schemathesis) and bandit
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-400} $(PY) -m pytest -p no:randomly -k "conforms_to_its_schema" project/tests/test_openapi.py
	$(PY) -m bandit -r project shows tickets info payments notifications staff devauth deploy bench languages frontend/e2e -ll -x '*/migrations/*'
