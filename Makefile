# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Two cores here and in CI; override with `make test PYTEST_WORKERS=0` to run serially.
PYTEST_WORKERS ?= 2

.PHONY: run test install install-dev lint bench mutate clean help

help:
	@echo "make run    set up, load demo data, serve on http://$(HOST):$(PORT)/"
	@echo "make test   set up with dev dependencies, lint, check migrations and schema, run pytest"
	@echo "make bench  print performance figures (bench/; the procurement ones need PostgreSQL)"
	@echo "make mutate mutation-test the rule modules (mutmut; slow, no services needed)"

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
	$(BIN)/python bench/standards.py
	$(BIN)/python bench/boards.py
	$(BIN)/python bench/home.py
	$(BIN)/python bench/digest.py

# Mutation testing of the pure rule modules ([tool.mutmut] in pyproject.toml) on the SQLite default,
# outside CI like bench; about 40 minutes on two shared cores. A full run every time: mutmut's cache
# would keep a mutant's verdict from before a test was added. One mutant: .venv/bin/mutmut run NAME,
# and .venv/bin/mutmut show NAME prints its diff.
mutate: install-dev
	rm -rf mutants
	@echo "mutmut: running, one mutant at a time (log: $(VENV)/mutmut.log)"
	@env -u DATABASE_URL -u REDIS_URL $(BIN)/mutmut run --max-children 1 > $(VENV)/mutmut.log 2>&1 \
		|| { tail -c 3000 $(VENV)/mutmut.log; exit 1; }
	@$(BIN)/mutmut export-cicd-stats > /dev/null
	@$(BIN)/python -c 'import json; s = json.load(open("mutants/mutmut-cicd-stats.json")); \
		s["other"] = s["total"] - s["killed"] - s["survived"]; \
		print("mutmut: %(killed)d of %(total)d mutants killed, %(survived)d survived, %(other)d neither" % s)'
	@echo "Not killed (each must be equivalent; mutmut show NAME prints its diff):"
	@env -u DATABASE_URL -u REDIS_URL $(BIN)/mutmut results

clean:
	rm -rf $(VENV) .data .pytest_cache
