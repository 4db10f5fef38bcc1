# Two commands are the whole set-up: `make plan` and `make test` each build .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STACKS_DIR ?= stacks

# The tests start many Python processes (a worker per core, the CLI in subprocesses): let them cache their
# compiled bytecode (in __pycache__, which git ignores) even where the shell says not to.
unexport PYTHONDONTWRITEBYTECODE

# Test workers (pytest-xdist): one per core; `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= auto
# `loadgroup` keeps each `xdist_group` in one worker: the network-namespace lab, the wheel's tests.
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup
# The tiers `make check` leaves out (markers in pyproject.toml); `make test` runs every tier.
LONG_TIERS := slow or netns or terminal

.PHONY: plan check test lint typecheck fast unit docs bench emulator clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	# This project again, in setuptools' compat editable mode (its folder on sys.path through a .pth file),
	# which mypy follows, not the default import hook, which mypy cannot see (setuptools, "Development
	# Mode"; pip ignores --config-settings on a requirements file's `-e` line).
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . \
		--config-settings editable_mode=compat
	touch $(STAMP)

# A preview: secrets a real run needs (the Palette API key) are listed as missing instead of failing.
plan: $(STAMP)
	$(BIN)/eks-hybrid plan --all --offline-secrets --stacks-dir $(STACKS_DIR)

# mypy and pytest run side by side, each target's output printed whole when it ends: mypy's first run in
# a clone takes a minute or more (later ones read .mypy_cache and take a second).

# After each edit: lint, types and the fast tests (under a minute on 2 cores).
check: lint
	$(MAKE) --no-print-directory -j2 --output-sync=target typecheck fast

# The whole proof, every tier, and the strict docs build, as CI runs it (.ci/run).
test: lint
	$(MAKE) --no-print-directory -j2 --output-sync=target typecheck unit docs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The library example's `mypy --strict`, as a consumer's checker sees the package, is a test (tests/library).
typecheck: $(STAMP)
	$(BIN)/mypy

fast: $(STAMP)
	$(PYTEST) -m "not ($(LONG_TIERS))"

unit: $(STAMP)
	$(PYTEST)

# The documentation site, strictly (any warning fails) into site/, offline; its generated reference pages
# must be current (`python -m tools.docs_reference --write` refreshes them).
docs: $(STAMP)
	$(BIN)/python -m tools.docs_reference --check
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

# Figures, not tests: planning time and memory against the engine's floor, and Palette requests (BENCHMARKS.md).
bench: $(STAMP)
	$(BIN)/python benchmarks/plan_scale.py
	$(BIN)/python benchmarks/palette_requests.py
	$(BIN)/python benchmarks/palette_soak.py

emulator: $(STAMP)
	$(BIN)/python -m palette_emulator --port 8765

clean:
	rm -rf $(VENV) build site *.egg-info
