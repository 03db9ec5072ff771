# consent-kit: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The browser tests (tests/browser) drive Debian's Chromium; Playwright never downloads one.
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM

.PHONY: translations run test install install-test chromium espeak-ng pango bench lint clean \
        postgres-test postgres-test-stop

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
## (with a throwaway PostgreSQL when none answers: see postgres-test)
test: install-test postgres-test
	@url=$$(cat $(PG_TEST_DIR)/url 2>/dev/null); \
	if [ -n "$$url" ]; then export CONSENT_KIT_TEST_DATABASE_URL="$$url"; fi; \
	$(BIN)/python -m pytest; status=$$?; \
	if [ -n "$$url" ]; then $(MAKE) --no-print-directory postgres-test-stop; fi; \
	exit $$status

# The tests talk to a real PostgreSQL: $$CONSENT_KIT_TEST_DATABASE_URL when set, else the local
# server on 127.0.0.1:$(PG_CHECK_PORT) (trust auth, database "test"). When neither answers, this
# starts a throwaway server from Debian's postgresql package (installed first when missing and
# root): a cluster in $(PG_TEST_DIR), run as an unprivileged user, on port $(PG_TEST_PORT), and
# leaves its address in $(PG_TEST_DIR)/url for `make test`. Stop it with `make postgres-test-stop`.
PG_BIN        ?= $(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin)))
PG_CHECK_PORT ?= 5432
PG_TEST_PORT  ?= 55432
PG_TEST_DIR   ?= /tmp/consent-kit-postgres-$(PG_TEST_PORT)
PG_TEST_USER  ?= $(shell id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody)
PG_ANSWERS = $(PYTHON) -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 2)" 2>/dev/null
postgres-test:
	@rm -f $(PG_TEST_DIR)/url
	@if [ -n "$$CONSENT_KIT_TEST_DATABASE_URL" ]; then \
	  echo "Tests use PostgreSQL at \$$CONSENT_KIT_TEST_DATABASE_URL."; \
	elif $(PG_ANSWERS) $(PG_CHECK_PORT); then \
	  echo "Tests use the PostgreSQL on 127.0.0.1:$(PG_CHECK_PORT)."; \
	else \
	  $(MAKE) --no-print-directory _postgres-throwaway; \
	fi

_postgres-throwaway:
	@bin="$(PG_BIN)"; \
	if [ ! -x "$$bin/initdb" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's postgresql for the tests ..."; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
	    || { echo "Could not install postgresql: the PostgreSQL tests will fail."; exit 1; }; \
	    bin=$$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); \
	  else \
	    echo "No PostgreSQL answers and Debian's postgresql isn't installed: the PostgreSQL tests will fail."; \
	    echo "Install it as root with 'apt-get install postgresql', or set CONSENT_KIT_TEST_DATABASE_URL."; \
	    exit 0; \
	  fi; \
	fi; \
	run=""; if [ "$$(id -u)" = 0 ]; then run="runuser -u $(PG_TEST_USER) --"; fi; \
	if ! $(PG_ANSWERS) $(PG_TEST_PORT); then \
	  echo "No PostgreSQL on 127.0.0.1:$(PG_CHECK_PORT): starting a throwaway one on port $(PG_TEST_PORT) in $(PG_TEST_DIR) ..."; \
	  rm -rf $(PG_TEST_DIR) && mkdir -p $(PG_TEST_DIR) && chmod 700 $(PG_TEST_DIR); \
	  if [ "$$(id -u)" = 0 ]; then chown $(PG_TEST_USER) $(PG_TEST_DIR); fi; \
	  $$run $$bin/initdb -D $(PG_TEST_DIR)/data -U postgres -A trust -E UTF8 --no-instructions >$(PG_TEST_DIR)/initdb.log 2>&1 \
	  || { cat $(PG_TEST_DIR)/initdb.log; exit 1; }; \
	  $$run $$bin/pg_ctl -D $(PG_TEST_DIR)/data -l $(PG_TEST_DIR)/server.log -w -t 60 start \
	    -o "-c listen_addresses=127.0.0.1 -p $(PG_TEST_PORT) -k $(PG_TEST_DIR) -c fsync=off" >/dev/null \
	  || { cat $(PG_TEST_DIR)/server.log; exit 1; }; \
	  $$bin/createdb -h 127.0.0.1 -p $(PG_TEST_PORT) -U postgres test; \
	fi; \
	echo "postgresql://postgres@127.0.0.1:$(PG_TEST_PORT)/test" > $(PG_TEST_DIR)/url; \
	echo "Tests use the throwaway PostgreSQL at postgresql://postgres@127.0.0.1:$(PG_TEST_PORT)/test"

## make postgres-test-stop: stop the throwaway test server and delete its folder
postgres-test-stop:
	@if [ -f $(PG_TEST_DIR)/data/postmaster.pid ]; then \
	  run=""; if [ "$$(id -u)" = 0 ]; then run="runuser -u $(PG_TEST_USER) --"; fi; \
	  $$run $(PG_BIN)/pg_ctl -D $(PG_TEST_DIR)/data -m fast -w stop >/dev/null; \
	fi
	@rm -rf $(PG_TEST_DIR)

## make bench: performance figures against a hello-world baseline measured in the same run,
## then the cost of sealing answers and PostgreSQL against the embedded store (same run each)
bench: install-test postgres-test
	@url=$$(cat $(PG_TEST_DIR)/url 2>/dev/null); \
	if [ -n "$$url" ]; then export CONSENT_KIT_TEST_DATABASE_URL="$$url"; fi; \
	$(BIN)/python benchmarks/run.py; status=$$?; \
	$(BIN)/python benchmarks/bench_crypto.py || status=1; \
	$(BIN)/python benchmarks/bench_postgres.py || status=1; \
	if [ -n "$$url" ]; then $(MAKE) --no-print-directory postgres-test-stop; fi; \
	exit $$status

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
