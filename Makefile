# KetaCare: `make run` serves the demo clinic, `make test` runs every check.
# uv lives in its own small venv (.tools) so that `uv sync` can manage .venv exactly.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run serve init demo test lint types contracts migrations-check pytest bench clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

install: $(UV)
	$(UV) sync --frozen --python $(PYTHON)

init: install
	$(BIN)/ketacare init

demo: init
	$(BIN)/ketacare demo

run: demo
	$(BIN)/ketacare serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations

types: install
	$(BIN)/mypy

contracts: install
	$(BIN)/lint-imports

# Upgrade a scratch SQLite database to head, then ask Alembic whether the models and the
# migrations agree. The same check runs on PostgreSQL inside the test suite.
migrations-check: install
	@tmp=$$(mktemp -d); \
	KETACARE_DATA_DIR=$$tmp $(BIN)/alembic upgrade head && \
	KETACARE_DATA_DIR=$$tmp $(BIN)/alembic check; rc=$$?; rm -rf $$tmp; exit $$rc

# One pytest worker per core (pytest-xdist); each worker makes its own PostgreSQL database,
# SQLite file and browser. PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= auto
pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS)

test: lint types contracts migrations-check pytest

bench: install
	$(BIN)/python bench/pk_population.py
	$(BIN)/python bench/page_latency.py

clean:
	rm -rf .tools $(VENV) .pytest_cache .mypy_cache .ruff_cache
