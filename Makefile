# The template's own tasks. `make demo` and `make test` are the two commands in README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := build/expense-classifier

.PHONY: setup demo test lint clean

setup: $(VENV)/installed

$(VENV)/installed: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Bake the default project into build/ and run it as its README says.
demo: setup
	rm -rf $(DEMO)
	$(BIN)/cookiecutter --no-input --output-dir build .
	$(MAKE) -C $(DEMO) test

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check hooks tests
	$(BIN)/ruff format --check hooks tests

clean:
	rm -rf $(VENV) build
