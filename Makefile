# The two commands a newcomer needs: `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext
TEST_DEBS := $(RUNTIME_DEBS) chromium

.PHONY: run test test-fast lint format types check messages bench system-deps system-deps-test clean help

help:
	@echo "make run    start the application with demo data on http://127.0.0.1:8000"
	@echo "make test   set everything up and run the whole test suite"
	@echo "make lint / format / types / messages / bench / clean"

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

system-deps:
	@bin/system-deps $(RUNTIME_DEBS)

system-deps-test:
	@bin/system-deps $(TEST_DEBS)

run: system-deps $(STAMP)
	@bin/run

test: system-deps-test $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(PY) -m pytest -m "not browser and not worker" -x $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

types: $(STAMP)
	$(PY) -m mypy .

check: lint types
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var --ignore=bench --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

bench: $(STAMP)
	$(PY) -m bench

clean:
	rm -rf var $(VENV)
