# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Two cores here and in CI; override with `make test PYTEST_WORKERS=0` to run serially.
PYTEST_WORKERS ?= 2

.PHONY: run test install install-dev lint bench clean help

help:
	@echo "make run    set up, load demo data, serve on http://$(HOST):$(PORT)/"
	@echo "make test   set up with dev dependencies, lint, check migrations and schema, run pytest"
	@echo "make bench  print performance figures (bench/; the procurement ones need PostgreSQL)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Dependencies come from pyproject.toml; the stamp files re-install when it changes.
$(VENV)/.installed: pyproject.toml scripts/requirements.py | $(BIN)/python
	$(BIN)/python scripts/requirements.py > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python scripts/requirements.py dev > $(VENV)/requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "Portal: http://$(HOST):$(PORT)/   (stop with Ctrl-C)"
	@echo ""
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file $(VENV)/openapi.yaml
	$(BIN)/pytest $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS))

# The procurement benches need PostgreSQL (they create their own portal_bench_* databases).
bench: install-dev
	$(BIN)/python bench/run.py
	$(BIN)/python bench/import_deliveries.py
	$(BIN)/python bench/procurement_pages.py
	$(BIN)/python bench/pledges_pages.py
	$(BIN)/python bench/dip_metrics.py
	$(BIN)/python bench/xlsx_limits.py

clean:
	rm -rf $(VENV) .data .pytest_cache
