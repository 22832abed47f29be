# rasd: the one interface. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: setup run test lint bench browser docs clean-warehouse

setup: $(STAMP)

# The lock pins every package with its hash; --no-deps installs exactly the lock.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/pip check
	rm -f $(VENV)/.installed-* && touch $@

# The nightly job once, over the bundled sample site served on 127.0.0.1:8765.
run: setup
	$(BIN)/python scripts/run_sample.py

test: setup
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: setup
	$(BIN)/python scripts/bench.py

# Headless Chromium for the report test (Debian package).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

docs: setup
	$(BIN)/python scripts/gen_data_dictionary.py

clean-warehouse:
	rm -rf data/warehouse.duckdb data/warehouse.duckdb.wal data/raw data/staging data/validation
