# partnergraph: `make run` serves a demo ecosystem; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG := $(BIN)/partnergraph

# The test server has its own data folder and port, so it never touches the demo's.
TEST_ENV := PARTNERGRAPH_NEO4J_HOME=$(CURDIR)/var/neo4j-test PARTNERGRAPH_NEO4J_PORT=7688 \
	PARTNERGRAPH_NEO4J_HEAP=1g PARTNERGRAPH_NEO4J_PAGE_CACHE=512m

# The map page (web/): `npm ci` when the lockfile changes, a build when a source does.
WEB_SOURCES := $(shell find web/src -type f) web/index.html web/vite.config.ts web/tsconfig.json
WEB_MODULES := web/node_modules/.package-lock.json
WEB_BUILD := web/dist/index.html
CHROMIUM := /usr/bin/chromium

.PHONY: install run test fuzz lint typecheck pytest neo4j-test-stop schema bench clean page

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate pyproject.toml constraints.txt
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

$(WEB_MODULES): web/package.json web/package-lock.json
	npm --prefix web ci --no-audit --no-fund
	touch $@

$(WEB_BUILD): $(WEB_MODULES) $(WEB_SOURCES)
	npm --prefix web run build

page: $(WEB_BUILD)

# The browser tests drive Debian's chromium (never a downloaded browser).
$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

run: install page
	$(PG) neo4j start
	$(PG) demo --preset small --seed 7
	@base="http://$${PARTNERGRAPH_HOST:-127.0.0.1}:$${PARTNERGRAPH_PORT:-8000}"; \
	token="$$($(PG) token --role admin --ttl 86400 | tail -n 1)"; \
	echo; \
	echo "GraphiQL: $$base/graphql"; \
	echo "An admin token for a day; paste this into GraphiQL's Headers tab:"; \
	echo "{\"Authorization\": \"Bearer $$token\"}"; \
	echo; \
	echo "The partner map, with that token (it stays in the browser tab, never in a URL sent):"; \
	echo "$$base/map#token=$$token"; \
	echo
	$(PG) serve

test: install lint typecheck page $(CHROMIUM)
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
	rm -rf $(VENV) graph/localdb/target web/node_modules web/dist
