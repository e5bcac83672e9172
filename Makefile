# One entry point for a new machine. Everything installs into .venv from PyPI, except
# Debian's chromium for the browser test, which `make browsers` installs with apt-get.
# Nothing has to be installed by hand beyond Python 3.11 and make.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup browsers demo test clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## setup: create .venv with Merit and its pinned dependencies
setup: $(BIN)/.installed

## browsers: Debian's chromium for the Voila browser test, installed with apt-get when missing
## (as root, or through sudo). Playwright drives it; Playwright's own browser downloads are never used.
browsers:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y chromium; }

## demo: set up, then run the end-to-end demo on the embedded defaults
demo: setup
	$(BIN)/merit demo

## test: set up, then lint and run the whole test suite (unit, nbgrader end to end,
## SQLite and PostgreSQL registry, nbval on course notebooks, Voila in chromium)
test: setup browsers
	$(BIN)/ruff check platform widgets tests benchmarks
	$(BIN)/python -m pytest

## clean: remove the virtual environment and the demo data directory
clean:
	rm -rf $(VENV) var
