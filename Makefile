# The two README commands: `make build` and `make test`. Each works on its own from a fresh
# clone: both create the environment first when it is missing.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# Tests build into their own file and folders, so `make test` never touches the warehouse
# `make build` made.
TEST_DIR := target/test
TEST_DB := $(TEST_DIR)/tiering.duckdb

.PHONY: build test env env-test env-report lint dbt-test docs-check pytest docs docs-test semantic-test browser \
	report report-test publication-test \
	spark-env spark-test bench bench-smoke bench-report demo-data lock clean

## env: the Python environment for building (dbt on DuckDB, the generator)
env: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	touch $@

## env-report: plus what the report needs (Plotly, fontTools, the browser driver)
env-report: $(VENV)/.installed-report

$(VENV)/.installed-report: $(VENV)/.installed requirements-report.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-report.txt -c constraints.txt
	touch $@

## env-test: plus lint, pytest and MetricFlow
env-test: $(VENV)/.installed-test

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt requirements-report.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.txt -c constraints.txt
	touch $@

## build: create the environment and build the warehouse on the demo data (or TIERING_RAW_PATH):
## seeds, models and every data test, into the work database; then, only if all of it passed,
## publish the marts to the file BI reads (TIERING_PUBLISH_PATH, default
## target/published/tiering.duckdb; README "Publication"). Unit tests check the SQL on fixed
## inputs, not the data, so they run in `make test` (dbt-test) and not on every build (D57).
build: env
	$(BIN)/python -m publication build $(if $(FORCE),,--if-changed) --exclude-resource-type unit_test

## test: every test. Lint, the dbt build with every data and unit test, the documentation
## check, then pytest (quarantine, user files, reference implementation, generator, docs site
## in Chromium, the report, semantic layer, the Spark build compared with DuckDB, the benchmark smoke run).
test: env-test lint dbt-test docs-check pytest bench-smoke

lint: env-test
	$(BIN)/sqlfluff lint models macros tests analyses

dbt-test: env-test
	mkdir -p $(TEST_DIR)
	rm -f $(TEST_DB)
	TIERING_DUCKDB_PATH=$(TEST_DB) TIERING_PUBLISH_PATH=$(TEST_DIR)/published/tiering.duckdb \
		$(BIN)/python -m publication build --target-path $(TEST_DIR)/target --log-path $(TEST_DIR)/logs

## docs-check: descriptions, primary keys, accepted values and layer rules, from the manifest
## and the catalog of the newest warehouse built: the test build's (dbt-test) or `make build`'s
## (TIERING_DUCKDB_PATH, default target/tiering.duckdb); or DOCS_DB=FILE
BUILD_DB := $(or $(TIERING_DUCKDB_PATH),target/tiering.duckdb)
DOCS_DB ?= $(firstword $(shell ls -t $(TEST_DB) $(BUILD_DB) 2>/dev/null))
docs-check: env-test
	@if [ -z "$(DOCS_DB)" ]; then echo "docs-check reads a built warehouse: run make build (or make dbt-test) first" >&2; exit 1; fi
	mkdir -p $(TEST_DIR)
	TIERING_DUCKDB_PATH=$(DOCS_DB) $(DBT) docs generate --target-path $(TEST_DIR)/docs --log-path $(TEST_DIR)/logs
	$(BIN)/python scripts/check_manifest.py $(TEST_DIR)/docs/manifest.json --catalog $(TEST_DIR)/docs/catalog.json

## pytest: on PYTEST_WORKERS processes (pytest-xdist; default one per core), each test module on one
## of them, the longest modules first (tests_py/conftest.py, DECISIONLOG D199); PYTEST_WORKERS=0
## runs them in this process, one after another
PYTEST_WORKERS ?= auto
pytest: env-test browser spark-env
	TIERING_REQUIRE_SPARK=1 $(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder tests_py

## report: the business report from the published marts (or REPORT_ARGS="--database FILE"):
## target/report/report.html, one self-contained file, and a PNG per chart. Run after `make build`.
REPORT_ARGS ?=
report: env-report browser
	$(BIN)/python -m report $(REPORT_ARGS)

## report-test: build the report on the demo and on customers-and-orders-only data, check its
## numbers against the marts and open it offline in Chromium (part of pytest)
report-test: env-test browser
	$(BIN)/pytest -q -m report tests_py

## docs: the dbt docs site, as target/index.html (`dbt docs serve`) and as one static file; one
## `dbt docs generate --static` writes both, with the manifest and the catalog
docs: env
	$(DBT) docs generate --static
	@echo "Docs: target/static_index.html (open it in a browser; no server needed)"

## browser: Debian's Chromium and a CJK font for the report and the browser tests (skips when installed)
browser:
	bash scripts/setup_browser.sh

docs-test: env-test browser
	$(BIN)/pytest -q -m docs tests_py

semantic-test: env-test
	$(BIN)/pytest -q -m semantic tests_py

## publication-test: builds, a killed build, a failing build and a replay under a connected BI client
publication-test: env-test
	$(BIN)/pytest -q -m publication tests_py

## spark-env: Java 17 (apt-get when missing) and requirements-spark.txt in .venv (skips when installed)
spark-env: env-test
	bash scripts/setup_spark.sh

## spark-test: seeds, models and every test on a local Spark session, each mart compared with DuckDB
spark-test: env-test spark-env
	TIERING_REQUIRE_SPARK=1 $(BIN)/pytest -q -m spark tests_py

## bench: the benchmark (benchmark/README.md): 10^5, 10^6, 10^7 orders, 3 runs each by default;
## other sizes with BENCH_ARGS="--sizes 1e8 ..."
BENCH_ARGS ?=
bench: env-test
	$(BIN)/python benchmark/run.py $(BENCH_ARGS)

## bench-report: how long `python -m report` takes on the published demo (3 runs; the report's
## 30 s target, DECISIONLOG D201). Run after `make build`, on a quiet machine.
bench-report: env-report browser
	$(BIN)/python benchmark/report_time.py --database target/published/tiering.duckdb --runs 3 \
		--out benchmark/results/report_demo

## bench-smoke: one small run of every variant, to show the harness works (part of pytest)
bench-smoke: env-test
	$(BIN)/python benchmark/run.py --smoke

## demo-data: rewrite the demo seeds with the project's generator (deterministic)
demo-data: env
	$(BIN)/python -m generator --customers 2000 --seed 42 --prefix raw_ --format csv --out seeds/demo

## lock: rewrite constraints.txt from .venv, every package at its installed version (run it after
## a requirements change has been installed and `make test` and `make spark-test` passed; D126)
lock:
	$(BIN)/python scripts/lock_environment.py

clean:
	rm -rf target logs dbt_packages artifacts
