# partnergraph: `make run` serves a demo ecosystem; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG := $(BIN)/partnergraph

# The test server has its own data folder and port, so it never touches the demo's.
TEST_ENV := PARTNERGRAPH_NEO4J_HOME=$(CURDIR)/var/neo4j-test PARTNERGRAPH_NEO4J_PORT=7688 \
	PARTNERGRAPH_NEO4J_HEAP=1g PARTNERGRAPH_NEO4J_PAGE_CACHE=512m

.PHONY: install run test fuzz lint typecheck pytest neo4j-test-stop schema bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate pyproject.toml constraints.txt
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(PG) neo4j start
	$(PG) demo --preset small --seed 7
	@echo
	@echo "GraphiQL: http://$${PARTNERGRAPH_HOST:-127.0.0.1}:$${PARTNERGRAPH_PORT:-8000}/graphql"
	@echo "An admin token for a day; paste this into GraphiQL's Headers tab:"
	@echo "{\"Authorization\": \"Bearer $$($(PG) token --role admin --ttl 86400 | tail -n 1)\"}"
	@echo
	$(PG) serve

test: install lint typecheck
	$(TEST_ENV) $(PG) neo4j start
	$(TEST_ENV) $(BIN)/pytest -q $(PYTEST_ARGS)

# The fuzz run at length, with a fresh random seed each time (the suite's 1,000 are fixed).
fuzz: install
	$(TEST_ENV) $(PG) neo4j start
	$(TEST_ENV) PARTNERGRAPH_FUZZ_DOCUMENTS=$${PARTNERGRAPH_FUZZ_DOCUMENTS:-20000} \
		PARTNERGRAPH_FUZZ_RANDOM=1 $(BIN)/pytest -q -s --timeout=0 tests/api/test_fuzz.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

neo4j-test-stop: install
	$(TEST_ENV) $(PG) neo4j stop

schema: install
	$(PG) schema > schema.graphql

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) graph/localdb/target
