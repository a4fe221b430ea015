# Two commands set everything up: `make run` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
export ENTITLE_DATA_DIR ?= $(CURDIR)/.entitle
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The suite runs on every core (pytest-xdist); PYTEST_ARGS="-n 0" runs it in one process.
PYTEST_ARGS ?= -n auto

.PHONY: run test lint typecheck pytest bench bench-quick soak screenshot clean locale messages

$(BIN)/python:
	@echo "make: creating $(VENV) and installing entitle with its dependencies into it (first run only: about a minute)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Both distributions, editable: one importable entitle package from src/ (README, Install).
$(STAMP): pyproject.toml server/pyproject.toml server/hatch_build.py | $(BIN)/python
	$(BIN)/python -m pip install -e . -e './server[test]'
	touch $(STAMP)

# The portal's catalogs: each .po (kept in the repository) compiled to its .mo.
CATALOGS = $(patsubst %.po,%.mo,$(wildcard src/entitle/locale/*/LC_MESSAGES/*.po))
TRANSLATED = $(patsubst src/entitle/locale/%/LC_MESSAGES,%,$(wildcard src/entitle/locale/*/LC_MESSAGES))
locale: $(CATALOGS)
%.mo: %.po | $(STAMP)
	@$(BIN)/pybabel compile -i $< -o $@ >/dev/null

# After marking new text: the templates (.pot) and every language's .po brought up to date;
# the new entries then want translating (a test names any left empty).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k N_ -k ngettext:1,2 -k pgettext:1c,2 --no-location \
	  --sort-output --project entitle -o src/entitle/locale/messages.pot .
	$(BIN)/pybabel extract -F babel-js.cfg -k t -k tn:1,2 --no-location --sort-output \
	  --project entitle -o src/entitle/locale/js.pot .
	for domain in messages js; do for lang in $(TRANSLATED); do \
	  $(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -D $$domain -l $$lang \
	    -i src/entitle/locale/$$domain.pot -d src/entitle/locale; done; done

# The port first, with the system's Python, before a minute of installing; the server prints
# its URL and the demo login once it answers.
run:
	@PYTHONPATH=src $(PYTHON) -m entitle.ports '$(HOST)' '$(PORT)' 'run PORT={port} make run'
	@$(MAKE) --no-print-directory $(STAMP) locale
	$(BIN)/entitle db upgrade
	$(BIN)/entitle demo
	$(BIN)/entitle serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts server/hatch_build.py
	$(BIN)/ruff format --check src tests bench scripts server/hatch_build.py
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --strict scripts

# pytest exits 5 when it collected nothing: that is a failure of the suite, not a pass.
pytest: $(STAMP) locale
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: the suite is broken" >&2; fi; \
	exit $$rc

test: lint typecheck pytest

bench: $(STAMP) locale
	$(BIN)/python -m bench $(BENCH_ARGS)

bench-quick: $(STAMP) locale
	$(BIN)/python -m bench --quick $(BENCH_ARGS)

# The fault tests and fuzzing at full size (ENTITLE_SOAK=1); `make test` runs them small.
soak: $(STAMP) locale
	ENTITLE_SOAK=1 $(BIN)/python -m pytest tests/integration tests/unit -m slow $(PYTEST_ARGS)

# The README's picture of the portal: the demo on a throw-away SQLite file, in Chromium.
screenshot: $(STAMP) locale
	$(BIN)/python scripts/screenshot.py

clean:
	rm -rf $(VENV) .entitle .pytest_cache .mypy_cache .ruff_cache
