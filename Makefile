# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint install install-dev system-deps system-deps-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# `make run` installs what the app needs; `make test` adds the test tools.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $(STAMP)

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP) $(DEV_STAMP)

install: $(STAMP)
install-dev: $(DEV_STAMP)

system-deps:
	@scripts/system-deps.sh system-packages.run.txt
	@$(BIN)/python -c "import weasyprint" 2>/dev/null || { \
	  echo "WeasyPrint cannot load its system libraries. On Debian/Ubuntu: sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"; exit 1; }

system-deps-test: system-deps
	@scripts/system-deps.sh system-packages.test.txt || echo "(tests that need these packages will be skipped)"

# The app derives the address in mailed links from PORT (unless PUBLIC_BASE_URL is set).
run: export PORT := $(PORT)
run: install system-deps
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi demo --attendees 85
	@echo
	@$(BIN)/flask --app wsgi demo-admin
	@echo "Serving on http://127.0.0.1:$(PORT)  (organiser pages: http://127.0.0.1:$(PORT)/organiser/)"
	@echo
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

test: install-dev system-deps-test
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check eventapp tests benchmarks scripts wsgi.py gunicorn.conf.py

clean:
	rm -rf $(VENV) *.egg-info
