# Enlace: `make run` and `make test` work on a fresh clone (they create .venv and install).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check --quiet
export ENLACE_INSTANCE_PATH ?= $(CURDIR)/instance
# pytest-xdist processes for `make test` (auto: one per core; 0 runs the tests in this process).
# `--dist worksteal`: a process that runs out of tests takes pending ones from the other, so
# the run does not end on one process working through a queue of slow browser tests.
TEST_WORKERS ?= auto

.PHONY: run test bench install install-dev translations extract-messages labels lint clean minify

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The .mo catalogues are built from the committed .po files, never committed themselves.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d webapp/translations -D messages

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o webapp/translations/messages.pot .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations --no-fuzzy-matching

# The app's copy of the directory's vocabulary and the emergency services' order (a test fails
# when the committed file differs from what this writes).
labels: $(VENV)/.installed
	$(BIN)/python tools/export_labels.py

# The app's modules minified for the wire (tools/minify/modules.mjs, into build/static): the
# server sends each one in place of its source while the source is the one minified. The
# minifier is installed from tools/minify's lockfile into build/minify. `make run` and
# `make bench` skip it on a machine without node and npm, and the server sends the sources.
MINIFY := $(if $(and $(shell command -v node),$(shell command -v npm)),minify)
MINIFIER := build/minify/node_modules/terser/package.json

$(MINIFIER): tools/minify/package.json tools/minify/package-lock.json
	mkdir -p build/minify
	cp tools/minify/package.json tools/minify/package-lock.json build/minify/
	cd build/minify && npm ci --silent --ignore-scripts --no-audit --no-fund
	touch $@

minify: $(MINIFIER)
	node tools/minify/modules.mjs build/minify

run: $(VENV)/.installed translations $(MINIFY)
	$(BIN)/enlace init
	$(BIN)/enlace demo
	$(BIN)/enlace run

test: $(VENV)/.installed-dev translations minify
	$(BIN)/ruff check .
	node --test --test-reporter=dot tests/js/*.test.mjs
	@# Again against the minified modules the server sends (tests/js/minified/register.mjs).
	node --import ./tests/js/minified/register.mjs --test --test-reporter=dot tests/js/*.test.mjs
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

bench: $(VENV)/.installed-dev translations $(MINIFY)
	@# Every script runs even when one misses a target; the exit status says whether any did.
	@failed=""; for script in bench/*.py; do [ -e "$$script" ] || continue; echo "== $$script"; \
	  $(BIN)/python "$$script" || failed="$$failed $$script"; done; \
	  if [ -n "$$failed" ]; then echo "== missed a target or failed:$$failed"; exit 1; fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build
