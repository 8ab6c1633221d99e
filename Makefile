# The two README commands: `make build` and `make test`. Each works on its own from a
# fresh clone: both create the environment first if it is missing.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# Tests build into their own file, so `make test` never touches the warehouse `make build` made.
TEST_DB := target/test/tiering.duckdb

.PHONY: build test env lint dbt-test pytest demo-data docs clean

env: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

## build: create the environment and build the warehouse on the demo data
build: env
	$(DBT) build
	@echo "Warehouse built: $${TIERING_DUCKDB_PATH:-target/tiering.duckdb} (schemas staging, intermediate, marts)"

## test: every test (lint, dbt build with data and unit tests, pytest)
test: env lint dbt-test pytest

lint: env
	$(BIN)/sqlfluff lint models macros tests analyses

dbt-test: env
	mkdir -p $(dir $(TEST_DB))
	rm -f $(TEST_DB)
	TIERING_DUCKDB_PATH=$(TEST_DB) $(DBT) build

pytest: env
	$(BIN)/pytest -q tests_py

## demo-data: regenerate the demo seeds with the project's generator
demo-data: env
	$(BIN)/python -m generator --customers 2000 --seed 42 --prefix raw_ --format csv --out seeds/demo

docs: env
	$(DBT) docs generate

clean:
	rm -rf target logs dbt_packages
