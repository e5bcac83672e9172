# One entry point for a new machine. Everything installs into .venv from PyPI (and
# configurable-http-proxy from npm), except Debian packages pip cannot provide, which
# `make system` installs with apt-get: chromium (the Voila browser test), bubblewrap (the
# grading sandbox), and nodejs with npm (JupyterHub's proxy).
# Nothing has to be installed by hand beyond Python 3.11 and make.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup system proxy demo test clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# An editable install skips pyproject's data-files: link Voila's `merit` template where
	@# every Jupyter server looks (sys.prefix/share/jupyter), as a wheel install puts it.
	mkdir -p $(VENV)/share/jupyter/voila/templates
	ln -sfn $(CURDIR)/platform/merit/serve/share/voila/templates/merit $(VENV)/share/jupyter/voila/templates/merit
	touch $@

## setup: create .venv with Merit and its pinned dependencies, and JupyterHub's proxy
setup: $(BIN)/.installed proxy

## proxy: configurable-http-proxy (npm, pinned) for `merit hub`, run by the machine's Node.js
## (nodejs and npm from Debian when missing: see `make system`); installed inside .venv and
## linked into .venv/bin, where JupyterHub finds it.
CHP_VERSION := 5.3.0
proxy: $(BIN)/configurable-http-proxy
$(BIN)/configurable-http-proxy: $(BIN)/.installed Makefile
	npm install --prefix $(VENV)/node --no-audit --no-fund --silent configurable-http-proxy@$(CHP_VERSION)
	ln -sf ../node/node_modules/.bin/configurable-http-proxy $@

## system: Debian packages, installed with apt-get when missing (as root, or through sudo):
## chromium, which Playwright drives in the Voila test (its own browser downloads are never
## used), bubblewrap, the sandbox `merit grade` runs learner code in, and Node.js with npm
## for JupyterHub's configurable-http-proxy, and poppler-utils (pdftoppm, pdftotext), which the
## certificate test renders and reads the PDF with.
SYSTEM_PACKAGES := chromium:chromium bwrap:bubblewrap node:nodejs npm:npm pdftoppm:poppler-utils
system:
	@missing=""; for pair in $(SYSTEM_PACKAGES); do \
		command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y $$missing; fi

## demo: set up, then run the end-to-end demo on the embedded defaults
demo: setup
	$(BIN)/merit demo

## test: set up, then lint (ruff, line length included), type-check (mypy), validate every course (schema, tags, rubrics, solutions pass and
## releases fail under real nbgrader, nbval) and its competency coverage, and run the whole
## test suite (unit, nbgrader end to end, SQLite and PostgreSQL registry, Voila in chromium,
## the grading sandbox with hostile submissions)
test: system setup
	$(BIN)/ruff check platform widgets tests benchmarks
	$(BIN)/ruff format --check platform widgets tests benchmarks
	$(BIN)/mypy
	$(BIN)/merit course validate --semua
	$(BIN)/merit course coverage
	$(BIN)/python -m pytest

## clean: remove the virtual environment and the demo data directory
clean:
	rm -rf $(VENV) var
