# The two set-up commands are `make run` and `make test`; both build the environment they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAM_VENV := .tools/sam
SAM := $(SAM_VENV)/bin/sam
SAM_VERSION := 1.170.0
# pyenv shims resolve python3.12/3.13 for `sam build` only when asked to.
export PYENV_VERSION ?= 3.11.7:3.12.1:3.13.0
export SAM_CLI_TELEMETRY := 0

.PHONY: run test lint unit sam-validate sam-build bench clean openapi

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -e '.[dev]'
	touch $@

$(SAM): 
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv
	$(SAM_VENV)/bin/uv pip install --quiet --python $(SAM_VENV)/bin/python aws-sam-cli==$(SAM_VERSION)

run: $(STAMP)
	$(BIN)/leadlists serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: $(STAMP)
	$(BIN)/pytest -n 2

sam-validate: $(SAM)
	$(SAM) validate --lint

sam-build: $(SAM)
	$(SAM) build --parallel
	bash scripts/check_layer_arch.sh

test: lint unit sam-validate sam-build

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .tools .aws-sam

openapi: $(STAMP)
	$(BIN)/python -m leadlists_local.openapi
