# Two commands set everything up on a fresh machine:
#   make reproduce   builds the environment and reproduces the classic studies
#   make test        builds the environment (with test tools) and runs the tests
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: reproduce test lint bench browser clean

$(BIN)/actinit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: $(BIN)/actinit
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

reproduce: $(BIN)/actinit
	$(BIN)/actinit reproduce

# Debian's Chromium drives the playground's browser tests (Playwright cannot download one here).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null)

test: $(VENV)/.test-installed browser
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest

bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) build *.egg-info
