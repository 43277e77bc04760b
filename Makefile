# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The resolver's inputs, pinned so that the same commit always yields the same locks: uv's
# version (pyproject's dev extra) and the newest upload it may pick. Move the date forward
# on purpose to take newer releases, then run `make lock`.
EXCLUDE_NEWER := 2026-11-25T00:00:00Z
# One lock for every host: Python 3.11 and up, any platform (tests/test_lock.py checks it).
# --upgrade ignores the pins already in the output files: the locks depend on the inputs alone.
LOCK_ARGS := --quiet --upgrade --universal --python-version 3.11 --exclude-newer $(EXCLUDE_NEWER)
# Where `make lock` writes; tests/test_lock.py points it at an empty folder to lock from scratch.
LOCK_DIR := .

.PHONY: run test install lint test-services lock

run: install
	$(BIN)/studygame run

test: install lint test-services
	$(BIN)/pytest

install: $(VENV)/.installed

# A new virtualenv whenever the lock or these steps change, so it holds exactly the locked
# (hash-checked) versions and nothing left over; the package itself is editable.
$(VENV)/.installed: pyproject.toml requirements-dev.lock Makefile
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "StudyGame needs Python 3.11 or newer"'
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# Regenerate after editing the dependencies in pyproject.toml or EXCLUDE_NEWER:
# requirements.lock   the app's hashed pins (Docker, the nightly backup, CI);
# requirements-dev.lock  the same pins plus the dev extra and uv (`make install`);
# requirements.txt    the same pins without hashes and this package editable: Community
#                     Cloud installs it with uv or pip, and pip refuses hashes beside `-e .`.
lock: install
	$(BIN)/uv pip compile $(LOCK_ARGS) --no-header --generate-hashes pyproject.toml \
		-o $(LOCK_DIR)/requirements.lock
	$(BIN)/uv pip compile $(LOCK_ARGS) --no-header --generate-hashes --no-annotate --extra dev \
		-c $(LOCK_DIR)/requirements.lock pyproject.toml -o $(LOCK_DIR)/requirements-dev.lock
	printf -- '-e .\n' | $(BIN)/uv pip compile $(LOCK_ARGS) --no-annotate --custom-compile-command 'make lock' \
		-c $(LOCK_DIR)/requirements.lock - -o $(LOCK_DIR)/requirements.txt

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Postgres and Chromium for the tests; see docs/development.md.
test-services:
	bash scripts/ensure_test_services.sh
