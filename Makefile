# consent-kit: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The browser tests (tests/browser) drive Debian's Chromium; Playwright never downloads one.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

.PHONY: translations run test install install-test chromium espeak-ng pango bench lint clean

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

install-test: $(VENV)/.installed-test chromium espeak-ng pango

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

# Debian's espeak-ng, once, when it's missing (needs root): "Listen" audio is made offline with it.
# Without it the app still works and says that listening isn't available.
espeak-ng:
	@if ! command -v espeak-ng >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's espeak-ng for read-aloud audio ..."; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng >/dev/null \
	    || { echo "Could not install espeak-ng: read-aloud audio will be off."; exit 1; }; \
	  else \
	    echo "Read-aloud audio needs espeak-ng; install it as root with 'apt-get install espeak-ng'."; \
	  fi; \
	fi

# Debian's Pango and HarfBuzz libraries, once, when they're missing (needs root): WeasyPrint
# draws the participant's tagged (PDF/UA) consent copy with them. Without them the copy PDF fails.
PANGO_LIBS := libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0
pango:
	@missing=""; for lib in $(PANGO_LIBS); do \
	  ldconfig -p | grep -q "$$lib" || missing="$$missing $$lib"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's Pango for the consent copy PDF ..."; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
	       libharfbuzz-subset0 >/dev/null \
	    || { echo "Could not install Pango: the consent copy PDF will fail."; exit 1; }; \
	  else \
	    echo "The consent copy PDF needs$$missing; install them as root with"; \
	    echo "'apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0'."; \
	  fi; \
	fi

## make run: install, make a demo folder the first time, serve the demo at http://127.0.0.1:5000
run: install espeak-ng pango
	$(BIN)/consent-kit demo

## make test: install the test extras and everything the tests need, then run the whole suite
test: install-test
	$(BIN)/python -m pytest

## make bench: performance figures against a hello-world baseline measured in the same run
bench: install-test
	$(BIN)/python benchmarks/run.py

## make translations: collect the toolkit's words, update every catalog in locales/, build the .mo files
LANGUAGES ?= $(notdir $(patsubst %/,%,$(wildcard locales/*/)))
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --project consent-kit -o locales/messages.pot .
	for lang in $(LANGUAGES); do \
	  if [ -f locales/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i locales/messages.pot -d locales -l $$lang --no-fuzzy-matching --ignore-obsolete; \
	  else $(BIN)/pybabel init -i locales/messages.pot -d locales -l $$lang; fi; \
	done
	$(BIN)/pybabel compile -d locales --statistics

lint: install-test
	$(BIN)/ruff check consent_kit plugins tests benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
