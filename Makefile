# Two commands on a fresh machine with Python 3.11+ and git:
#   make run    the platform with demo data: web, Celery worker and beat (Ctrl-C stops all three)
#   make test   lint, type check and the whole test suite
# Both install into $(VENV) first; it is reused until pyproject.toml changes.
# Configuration comes from the shell's environment (see README.md); without DATABASE_URL and
# REDIS_URL everything runs on SQLite and a file-system broker in var/.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=

BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Keyed on the content of pyproject.toml, not its modification time: a fresh clone reuses a
# venv that is still up to date (CI passes one cached outside the clone), an edit reinstalls.
PYPROJECT_HASH := $(shell $(PYTHON) -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest()[:16])' 2>/dev/null)
STAMP := $(VENV)/.installed-$(PYPROJECT_HASH)

.DEFAULT_GOAL := help
.PHONY: help install run migrate demo test lint format bench clean

help: ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-8s %s\n", $$1, $$2}'

install: $(STAMP) ## Create the virtualenv and install the dependencies (when pyproject.toml changed)

$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		{ echo "Python 3.11 or newer is needed; name it with PYTHON=, e.g. make PYTHON=python3.12" >&2; exit 1; }
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || \
		$(PYTHON) -m venv --clear $(VENV)
	@echo "Installing into $(VENV) (a minute or two the first time)..."
	@# Not editable: pyproject.toml lists no packages, so this brings only the dependencies
	@# and the code runs from this checkout.
	$(BIN)/python -m pip install --quiet ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

# Links in mail, and the address seed_demo prints, follow the port in use.
demo run: export SITE_URL ?= http://127.0.0.1:$(PORT)

migrate: install ## Apply database migrations
	$(MANAGE) migrate --noinput

demo: migrate ## Load the demo organization and its people (safe to repeat)
	$(MANAGE) seed_demo

run: demo ## Start web, worker and beat on http://127.0.0.1:8000/ (PORT=8765 make run for another)
	@echo
	@echo "  Open http://127.0.0.1:$(PORT)/ -- web, worker and beat start below; Ctrl-C stops all three."
	@echo
	@# honcho would read .env, which is docker compose's file (production values): not here.
	PATH="$(abspath $(BIN)):$$PATH" PYTHONUNBUFFERED=1 \
		$(BIN)/honcho start --procfile Procfile.dev --env /dev/null --port $(PORT)

lint: install ## ruff (lint and format check), mypy, and no model change without a migration
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(MANAGE) makemigrations --check --dry-run

format: install ## Fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint ## Lint, type check, then the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Needs PostgreSQL and Redis: DATABASE_URL and REDIS_URL (docs/performance.md). It generates
# its data set into that database (minutes), so point it at a database of its own.
BENCH_ARGS ?=
bench: install ## Benchmarks at scale on PostgreSQL + Redis (BENCH_ARGS=--quick for a short run)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean: ## Remove .venv, var/ (the development database and broker), collected static files and caches
	rm -rf .venv var staticfiles build *.egg-info .pytest_cache .ruff_cache .mypy_cache htmlcov .coverage .coverage.*
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
