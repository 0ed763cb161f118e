# fangkong: `make demo` serves the demo community; `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
PORT ?= 8000
export FANGKONG_DEBUG ?= 1

.PHONY: demo test install install-test migrate messages serve lint check clean

$(VENV)/bin/python:
	"$$(bin/find-python)" -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# Reinstall when the pins change; the lock file pins every transitive dependency.
$(VENV)/.installed: pyproject.toml requirements.lock | $(VENV)/bin/python
	$(PIP) install -q -c requirements.lock -e '.[dev]'
	touch $@

install: $(VENV)/.installed

messages: install
	$(MANAGE) compilemessages --ignore=.venv -v 0

migrate: install messages
	$(MANAGE) migrate --noinput -v 0

demo: migrate
	$(MANAGE) seed_demo
	@echo "Serving http://127.0.0.1:$(PORT)/ with a db_worker and tick beside it (Ctrl-C stops all)."
	@trap 'kill 0' EXIT INT TERM; \
	  $(MANAGE) db_worker & \
	  $(MANAGE) tick --loop & \
	  $(MANAGE) runserver 127.0.0.1:$(PORT)

install-test: install
	@# Browser tests drive Debian's Chromium; PDFs need a CJK font. Install them if missing.
	@command -v chromium >/dev/null 2>&1 || echo "note: chromium not found; browser tests will be skipped (apt-get install chromium)"

test: install-test messages
	FANGKONG_TESTING=1 $(VENV)/bin/pytest -n 2 --create-db $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	FANGKONG_DEBUG=1 $(VENV)/bin/mypy

check: install
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
