# LCNC — developer entry points.  Everything here works in a fresh clone:
#
#   make run    set everything up, migrate, load the demo apps/users, serve on 127.0.0.1:$(PORT)
#   make test   set everything up (incl. Chromium for browser tests), lint, run pytest
#
# Other targets: setup, venv, frontend, chromium, messages, lint, fmt, clean.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PORT ?= 8000
PYTHON ?= python3.11
PYTEST_ARGS ?=
# pytest-xdist processes for `make test` (the suite runs on SQLite in parallel; 0 = serial).
PYTEST_WORKERS ?= 2
CHROMIUM ?= /usr/bin/chromium

VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
MANAGE := $(PY) manage.py

FRONTEND := frontend
NODE_MODULES := $(FRONTEND)/node_modules
NPM_STAMP := $(NODE_MODULES)/.installed
BUILD_STAMP := $(NODE_MODULES)/.built
# Everything under frontend/ except installed packages and build output: a change rebuilds.
FRONTEND_SRC = $(shell find $(FRONTEND) \( -path $(NODE_MODULES) -o -path $(FRONTEND)/dist \) \
                 -prune -o -type f -print 2>/dev/null)

# apt-get needs root; use sudo when we are not root and it is available.
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo 2>/dev/null)
APT_GET := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export npm_config_fund := false
export npm_config_audit := false
export npm_config_update_notifier := false

.PHONY: help setup venv frontend chromium gettext messages run test lint fmt clean

help:
	@echo "make run     set up, migrate, load demo data, serve on http://127.0.0.1:$(PORT) (PORT=... to change)"
	@echo "make test    set up, lint (ruff, mypy), run pytest (PYTEST_ARGS=... for extra arguments)"
	@echo "make lint    ruff check, ruff format --check, mypy, lint-imports (layers)"
	@echo "make fmt     ruff check --fix, ruff format"
	@echo "make clean   remove .venv, var/, frontend/node_modules, frontend/dist and caches"

setup: venv frontend messages

# ---------------------------------------------------------------- Python

venv: $(VENV_STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV_STAMP): pyproject.toml | $(PY)
	$(VENV)/bin/pip install -e '.[dev]'
	touch $@

# ---------------------------------------------------------------- front end

ifneq ($(wildcard $(FRONTEND)/package.json),)
frontend: $(BUILD_STAMP)

$(NPM_STAMP): $(FRONTEND)/package.json $(wildcard $(FRONTEND)/package-lock.json)
	if [ -f $(FRONTEND)/package-lock.json ]; then \
	  cd $(FRONTEND) && npm ci --no-audit --no-fund; \
	else \
	  cd $(FRONTEND) && npm install --no-audit --no-fund; \
	fi
	touch $@

$(BUILD_STAMP): $(NPM_STAMP) $(FRONTEND_SRC)
	cd $(FRONTEND) && npm run build --if-present
	touch $@
else
frontend:
	@echo "no $(FRONTEND)/package.json: nothing to install"
endif

# ---------------------------------------------------------------- system packages

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "$(CHROMIUM) missing: installing Debian's chromium"; \
	  { $(APT_GET) update && $(APT_GET) install -y chromium; } || true; \
	fi
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "ERROR: $(CHROMIUM) is still missing (apt-get install -y chromium needs root)" >&2; \
	  exit 1; \
	fi

gettext:
	@if ! command -v msgfmt >/dev/null; then \
	  echo "msgfmt missing: installing gettext"; \
	  { $(APT_GET) update && $(APT_GET) install -y gettext; } || true; \
	fi
	@command -v msgfmt >/dev/null || { echo "ERROR: msgfmt is still missing" >&2; exit 1; }

# Compiled .mo files are build output (ignored by git); compilemessages skips up-to-date ones.
messages: venv
	@if find . \( -path ./$(VENV) -o -path ./$(FRONTEND) -o -path ./var -o -path ./.git \
	      -o -name node_modules \) -prune -o -name '*.po' -print -quit | grep -q .; then \
	  $(MAKE) --no-print-directory gettext; \
	  echo "$(MANAGE) compilemessages"; \
	  $(MANAGE) compilemessages --ignore=$(VENV) --ignore=$(FRONTEND) --ignore=var \
	    --ignore=node_modules; \
	else \
	  echo "no .po files: no messages to compile"; \
	fi

# ---------------------------------------------------------------- run / test

run: setup
	mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) runserver 127.0.0.1:$(PORT)

test: setup chromium
	mkdir -p var
	$(MAKE) --no-print-directory lint
	cd $(FRONTEND) && npm test
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --cache-dir var/import-linter

# Fix what ruff can, then format; fails if lint errors remain.
fmt: venv
	rc=0; $(VENV)/bin/ruff check --fix . || rc=$$?; $(VENV)/bin/ruff format .; exit $$rc

clean:
	rm -rf $(VENV) var $(NODE_MODULES) $(FRONTEND)/dist .pytest_cache .mypy_cache .ruff_cache \
	  .hypothesis test-results *.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
