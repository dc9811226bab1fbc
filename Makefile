# The template's own tasks. `make demo` and `make test` are the two commands in README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := build/expense-classifier

.PHONY: setup demo test lint benchmark clean

setup: $(VENV)/installed

$(VENV)/installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Bake the default project into build/ and run every stage as its README says.
demo: setup
	rm -rf $(DEMO)
	$(BIN)/cookiecutter --no-input --output-dir build .
	$(MAKE) -C $(DEMO) run

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check hooks tests
	$(BIN)/ruff format --check hooks tests

# Time and memory of every stage at 10k, 100k and 1M rows; writes the table into README.md.
benchmark: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build
