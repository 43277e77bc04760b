# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# One lock for every host: Python 3.11 and up, any platform (tests/test_lock.py checks it).
LOCK_ARGS := --quiet --generate-hashes --universal --python-version 3.11 --no-header

.PHONY: run test install lint test-services lock

run: install
	$(BIN)/studygame run

test: install lint test-services
	$(BIN)/pytest

install: $(VENV)/.installed

# Reinstall when the dependencies or these steps change; the package itself is editable.
$(VENV)/.installed: pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "StudyGame needs Python 3.11 or newer"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' 'uv>=0.5'
	touch $@

# The hosts install the hashed pins in requirements.lock; regenerate after editing the
# dependencies in pyproject.toml. Pins already in the lock are kept where they still fit.
lock: install
	$(BIN)/uv pip compile $(LOCK_ARGS) pyproject.toml -o requirements.lock

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Postgres and Chromium for the tests; see docs/development.md.
test-services:
	bash scripts/ensure_test_services.sh
