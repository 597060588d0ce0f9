# Newsroom: two commands for a new user (`make demo`, `make test`), a few for developers.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint format install clean bench rehearse

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# The demo and the tests run on a laptop: they say so (settings fail closed otherwise).
LAPTOP := DJANGO_DEBUG=$${DJANGO_DEBUG:-true}

## Bring up the demo: install, migrate, load the reference live page, serve it.
demo: $(STAMP)
	$(LAPTOP) $(BIN)/python manage.py serve_demo --port $(PORT)

## Rehearse the night on the demo (with `make demo` running in another terminal): its
## recorded night, at SPEED x (10), into a rehearsal blog; `manage.py rehearse --wipe` ends it.
SPEED ?= 10
rehearse: $(STAMP)
	$(LAPTOP) $(BIN)/python manage.py rehearse --demo --speed $(SPEED) --posts liveblog/demo/night/posts.json --as editor

## Run the whole test suite (SQLite and in-process defaults unless DATABASE_URL/REDIS_URL are set).
test: $(STAMP)
	$(LAPTOP) $(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmarks (docs/performance.md): BENCH=push|poll|cost|ingest|origin|images|ap for one, BENCH_ARGS=--quick.
## Needs redis-server, nginx and wrk (apt-get install redis-server nginx-light wrk);
## set DATABASE_URL to measure on PostgreSQL (it creates and drops newsroom_bench).
BENCH_STAMP := $(VENV)/.bench-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.bench-*
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(LAPTOP) $(BIN)/python -m benchmarks $(BENCH) $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(LAPTOP) $(BIN)/mypy
	$(LAPTOP) $(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache db.sqlite3 media
