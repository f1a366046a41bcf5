# Two commands do all the set-up themselves: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint test-fast bench clean public-api browser system

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## The browser tests' set-up (tests/web): Debian's Chromium (installed with apt-get when running as root and
## /usr/bin/chromium is missing; `playwright install` cannot download here) and axe-core from npm (npm ci, lockfile).
WEB_TESTS := tests/web
AXE := $(WEB_TESTS)/node_modules/axe-core/axe.min.js
$(AXE): $(WEB_TESTS)/package.json $(WEB_TESTS)/package-lock.json
	npm ci --prefix $(WEB_TESTS) --no-audit --no-fund --loglevel=error
	touch $(AXE)

browser: $(AXE) system

## The second FHIR validator of the export (tests/fhir): the npm fhir package (FHIR.js 4.12.0, lockfile).
FHIR_TESTS := tests/fhir
FHIR_JS := $(FHIR_TESTS)/node_modules/fhir/package.json
$(FHIR_JS): $(FHIR_TESTS)/package.json $(FHIR_TESTS)/package-lock.json
	npm ci --prefix $(FHIR_TESTS) --no-audit --no-fund --loglevel=error
	touch $(FHIR_JS)

## System packages the tests need (Debian): chromium for the browser tests, poppler-utils (pdftotext) to read the
## PDF documents back. Installed with apt-get when running as root and missing; WeasyPrint's pango is in the image.
SYSTEM_PACKAGES := chromium:/usr/bin/chromium poppler-utils:/usr/bin/pdftotext
system:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
		[ -x "$${pair#*:}" ] || missing="$$missing $${pair%%:*}"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "missing system packages:$$missing and not root: the tests that need them are skipped (apt-get install$$missing)"; \
		fi; \
	fi

## The clinic service on SQLite with the demo clinic (fictional patients): migrate demo.sqlite3, write the demo
## clinic when it is not there yet, print the URL and the demo logins, serve. `baclofen demo` shows two plans.
DEMO_DATABASE_URL := sqlite:///demo.sqlite3
run: $(STAMP)
	$(BIN)/baclofen db upgrade --database-url $(DEMO_DATABASE_URL)
	$(BIN)/baclofen demo-data --database-url $(DEMO_DATABASE_URL)
	@echo "serving the demo clinic at http://127.0.0.1:8000 (web: log in with a demo login above; API: the curl lines above, /openapi.json); Ctrl-C stops it"
	BACLOFEN_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
		$(BIN)/baclofen serve --database-url $(DEMO_DATABASE_URL)

## Lint (ruff check, ruff format --check, mypy), then the whole suite: unit, property, validation, integration (Dask),
## end-to-end (CLI), architecture, and the web pages in a real browser (Chromium, axe-core: see `browser`).
test: $(STAMP) lint browser $(FHIR_JS)
	$(BIN)/python -m pytest -n 2 -q

## Lint: ruff rules, ruff formatting (check only) and mypy --strict over src (settings in pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/mypy

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

## Rewrite tests/architecture/public_api.txt after a deliberate change to the API of baclofen.services.
public-api: $(STAMP)
	$(BIN)/python scripts/update_public_api.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info $(WEB_TESTS)/node_modules $(WEB_TESTS)/artifacts $(FHIR_TESTS)/node_modules
