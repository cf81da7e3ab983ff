# Two commands matter: `make run` serves the dashboard, `make test` runs every test.
# Both install what they need into .venv first.

PYTHON_SYSTEM ?= python3
VENV ?= .venv
PYTHON := $(VENV)/bin/python
PORT ?= 8050
HOST ?= 127.0.0.1
export PORT HOST

.PHONY: run serve test lint bench bench-borough bench-england mutation install install-test demo demo-rebuild templates browser clean plotly-bundle

$(VENV)/.installed: requirements.txt
	@# WeasyPrint lays out board packs with Debian's pango.
	@if ! ldconfig -p | grep -q libpangoft2-1.0; then \
		echo "Installing Debian's pango for the board pack's PDF"; \
		apt-get update && apt-get install -y libpango-1.0-0 libpangoft2-1.0-0; \
	fi
	$(PYTHON_SYSTEM) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-dev.txt $(VENV)/.installed
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test browser node_modules/.installed

# axe-core, which the browser tests inject into Chromium to check every page against WCAG 2.2 A and AA:
# npm installs exactly the version in package-lock.json.
node_modules/.installed: package.json package-lock.json
	@if ! command -v npm >/dev/null; then \
		echo "Installing Debian's npm for the accessibility tests"; \
		apt-get update && apt-get install -y npm; \
	fi
	npm ci --no-audit --no-fund --silent
	touch $@

# Debian's Chromium drives the browser tests; Playwright never downloads a browser of its own.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium and chromium-driver for the browser tests"; \
		apt-get update && apt-get install -y chromium chromium-driver; \
	fi

# Build the synthetic demo borough unless a warehouse is already there.
demo: install
	$(PYTHON) -m dashboard.demo --if-missing

# Build it again from scratch (same seed, same borough).
demo-rebuild: install
	$(PYTHON) -m dashboard.demo

run: demo
	@echo "Serving the Inclusion Dashboard on http://$(HOST):$(PORT)"
	$(VENV)/bin/gunicorn --config web/gunicorn.conf.py app:server

# Production: the warehouse at $$INCLUSION_DB, sign-in from $$INCLUSION_USERS (or single sign-on), a secret key in
# $$INCLUSION_SECRET_KEY, $$INCLUSION_WORKERS processes; see docs/security.md. No demo is built.
serve: install
	@echo "Serving the Inclusion Dashboard on http://$(HOST):$(PORT) with $${INCLUSION_WORKERS:-2} workers"
	$(VENV)/bin/gunicorn --config web/gunicorn.conf.py app:server

# The tests run on TEST_WORKERS processes (pytest-xdist), a test file to a process so its fixtures are built once;
# each process builds its own demo borough. TEST_WORKERS=0 runs them in this process, as plain pytest does.
TEST_WORKERS ?= 2

test: install-test lint
	$(PYTHON) -m pytest -n $(TEST_WORKERS) --dist loadfile

# One formatter and linter (ruff, lines at most 120); the import contracts run in the tests (tests/unit/test_architecture.py).
$(VENV)/.installed-bench: requirements-bench.txt $(VENV)/.installed
	$(VENV)/bin/pip install --quiet -r requirements-bench.txt
	touch $@

# Every scale (borough, county, region; England when it can be built), each against the naive Dash map in the same
# run: the map's filter change served, the redraw and first map in Chromium, one export, the load with 1 and 2
# protection workers and their memory, 25 users at county scale. Writes bench/results.json and bench/results.md.
# BENCH_FLAGS=--quick leaves England out and reuses warehouses already built under bench/warehouses.
bench: $(VENV)/.installed-bench browser
	$(PYTHON) -m benchmarks.scales $(BENCH_FLAGS)

# The demo borough in depth: every page's callbacks and the wide set of map states against the naive map, the load,
# the protection with and without the relations between counts, and 25 users mixing pages and exports.
bench-borough: demo $(VENV)/.installed-bench
	$(PYTHON) -m benchmarks.map_update --load
	$(PYTHON) -m benchmarks.protection
	$(PYTHON) -m benchmarks.load_test

# England on this machine (about three hours): its extracts written, read by the ingest, five LAs from the smallest to
# the largest protected alone, England loaded as a country (each LA protected alone, then England's figures jointly),
# and the app served from that load (before there was one, from a warehouse with a stand-in publication):
# bench/england.json, whose figures make bench reports in England's row.
bench-england: $(VENV)/.installed-bench
	$(PYTHON) -m benchmarks.england

# Mutation testing of the protection's arithmetic (dashboard/domain/disclosure.py) against its unit tests, with
# mutmut: not part of `make test` (about 40 minutes on two cores). Prints the score; `mutmut results` lists survivors.
$(VENV)/.installed-mutation: requirements-mutation.txt $(VENV)/.installed-test
	$(VENV)/bin/pip install --quiet -r requirements-mutation.txt
	touch $@

mutation: $(VENV)/.installed-mutation
	rm -rf mutants
	$(VENV)/bin/mutmut run --max-children 2 > /dev/null
	$(VENV)/bin/mutmut export-cicd-stats
	$(PYTHON) -m tests.mutation_score mutants/mutmut-cicd-stats.json

lint: install-test
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

templates: install
	$(PYTHON) -m dashboard.ingest.templates

clean:
	rm -rf $(VENV) node_modules mutants data/demo data/warehouse.duckdb data/warehouse.duckdb.versions .pytest_cache

# The app's own plotly.js, the version plotly.py ships with only the traces the app draws (tools/plotly-bundle):
# run after upgrading plotly; tests/unit/test_plotly_bundle.py checks that the versions agree.
plotly-bundle:
	cd tools/plotly-bundle && npm ci --no-audit --no-fund && version=$$(node -p "require('plotly.js/package.json').version") && \
	npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly --target=es2016 \
		--define:global=window --define:define.amd=false --loader:.css=empty --legal-comments=eof \
		--banner:js="/*! plotly.js v$$version: core, bar, choropleth and scattergeo (tools/plotly-bundle). MIT licence, (c) Plotly, Inc. */" \
		--outfile=../../assets/plotly-app.min.js
