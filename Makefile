# consent-kit: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test install install-test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever the package description changes.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: install, make a demo folder the first time, serve the demo at http://127.0.0.1:5000
run: install
	$(BIN)/consent-kit demo

## make test: install the test extras and everything the tests need, then run the whole suite
test: install-test
	$(BIN)/python -m pytest

## make bench: performance figures against a hello-world baseline measured in the same run
bench: install-test
	$(BIN)/python benchmarks/run.py

lint: install-test
	$(BIN)/ruff check consent_kit plugins tests benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
