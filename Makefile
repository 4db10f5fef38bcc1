# Two commands are the whole set-up: `make plan` and `make test` each build .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
STACKS_DIR ?= stacks

.PHONY: plan test lint typecheck unit docs bench emulator clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

# A preview: secrets a real run needs (the Palette API key) are listed as missing instead of failing.
plan: $(STAMP)
	$(BIN)/eks-hybrid plan --all --offline-secrets --stacks-dir $(STACKS_DIR)

test: lint typecheck unit docs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --strict examples/library/__main__.py

unit: $(STAMP)
	$(BIN)/pytest

# The documentation site, strictly (any warning fails) into site/, offline; its generated reference pages
# must be current (`python -m tools.docs_reference --write` refreshes them).
docs: $(STAMP)
	$(BIN)/python -m tools.docs_reference --check
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir site

# Figures, not tests: planning time and memory against the engine's floor, and Palette requests (BENCHMARKS.md).
bench: $(STAMP)
	$(BIN)/python benchmarks/plan_scale.py
	$(BIN)/python benchmarks/palette_requests.py

emulator: $(STAMP)
	$(BIN)/python -m palette_emulator --port 8765

clean:
	rm -rf $(VENV) build site *.egg-info
