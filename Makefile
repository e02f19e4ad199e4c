# sfqb — two commands from a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint typecheck pytest demo docs bench clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

# The suite spreads over TEST_WORKERS processes (pytest-xdist); each PostgreSQL test has its
# own schema, so workers never share tables. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 3

pytest: install
	$(BIN)/pytest -n $(TEST_WORKERS)

test: lint typecheck pytest

demo: install
	$(BIN)/sfqb demo

bench: install
	$(BIN)/python benchmarks/initial_load.py --record BENCHMARKS.md
	$(BIN)/python benchmarks/hostile_bodies.py
	$(BIN)/python benchmarks/hostile_bodies.py --operation receiveResponseXML
	$(BIN)/python benchmarks/qbo_load.py
	$(BIN)/python benchmarks/fleet_load.py --record BENCHMARKS.md

docs: install
	$(BIN)/sfqb codes --markdown > docs/codes.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
