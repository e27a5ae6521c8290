# The two commands of the README: `make demo` and `make test`.  Everything else is a helper.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Two cores on CI: xdist with -n auto keeps the suite well under its time budget.
PYTEST_ARGS ?= -n auto

.PHONY: demo test lint venv clean completions bench

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# compat: a plain path entry, not setuptools' import hook, which costs every s3env start
	# ~20 ms; setuptools calls the mode transitional, so fall back to the default if it goes.
	$(BIN)/python -m pip install --quiet -e '.[test]' --config-settings editable_mode=compat \
	  || $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m devtools.demo

test: $(STAMP)
	$(BIN)/ruff check s3env devtools tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS) tests

# ruff, and the architecture: layers and no import cycles ([tool.importlinter] in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check s3env devtools tests benchmarks
	$(BIN)/lint-imports

# Regenerate the checked-in completion scripts (tests fail when they drift from the commands).
completions: $(STAMP)
	$(BIN)/s3env completion bash > completions/s3env.bash
	$(BIN)/s3env completion zsh > completions/_s3env
	$(BIN)/s3env completion fish > completions/s3env.fish

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
