# consent-kit: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The browser tests (tests/browser) drive Debian's Chromium; Playwright never downloads one.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

.PHONY: run test install install-test chromium bench lint clean

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

install-test: $(VENV)/.installed-test chromium

# Debian's chromium package, once, when it's missing (needs root, as in CI).
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests ..."; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
	    || { echo "Could not install chromium: the browser tests will fail."; exit 1; }; \
	  else \
	    echo "The browser tests need Chromium at $(CHROMIUM), and it isn't there."; \
	    echo "Install it as root with 'apt-get install chromium', or set CHROMIUM=/path/to/chromium."; \
	  fi; \
	fi

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
