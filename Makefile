# Attune: `make demo` serves the demo site; `make test` runs every test. Both are safe to run again.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export DEBUG ?= 1
export PYTHONDONTWRITEBYTECODE = 1

.PHONY: demo test test-python test-js test-django6 lint bench chromium node clean

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Attune needs Python 3.11 or newer; set PYTHON=python3.12"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

demo: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_setup
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py runserver 127.0.0.1:8000

chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

node:
	@command -v npm >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q nodejs npm; }
	@if [ -f tracker_js/package.json ]; then cd tracker_js && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; }; fi

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

test-python: $(VENV)/.dev chromium
	$(PY) -m pytest

test-js: node
	@if [ -f tracker_js/package.json ]; then cd tracker_js && npm test --silent; fi

test: lint test-python test-js

# The next Django: the Python suite (browser and slow tests aside: the other passes run them) on Django 6 and
# Python 3.12, when one is installed.
PYTHON312 ?= $(shell for p in python3.12 $$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python 2>/dev/null); do $$p -V >/dev/null 2>&1 && echo $$p && break; done)

.venv-django6/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON312)" || { echo "No Python 3.12 found: set PYTHON312=/path/to/python3.12"; exit 1; }
	$(PYTHON312) -m venv .venv-django6
	sed 's/^Django==.*/Django>=6.0,<6.2/' requirements.txt > .venv-django6/requirements.txt
	grep -v '^-r ' requirements-dev.txt >> .venv-django6/requirements.txt
	.venv-django6/bin/python -m pip install --quiet --disable-pip-version-check -r .venv-django6/requirements.txt
	touch $@

test-django6: .venv-django6/.installed
	ATTUNE_VAR_DIR=var/django6 .venv-django6/bin/python -m pytest -m "not browser and not slow" -q

bench: $(VENV)/.dev chromium
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q wrk; }
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .venv-django6 var tracker_js/node_modules
