# One entry point for a new machine. Everything installs into .venv from PyPI;
# nothing has to be installed by hand beyond Python 3.11 and make.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## setup: create .venv with Merit and its pinned dependencies
setup: $(BIN)/.installed

## demo: set up, then run the end-to-end demo on the embedded defaults
demo: setup
	$(BIN)/merit demo

## test: set up, then lint and run the whole test suite (unit, nbgrader end to end,
## SQLite and PostgreSQL registry, nbval on course notebooks)
test: setup
	$(BIN)/ruff check platform widgets tests benchmarks
	$(BIN)/python -m pytest

## clean: remove the virtual environment and the demo data directory
clean:
	rm -rf $(VENV) var
