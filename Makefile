# The two set-up commands are `make run` and `make test`; both build the environment they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAM_VENV := .tools/sam
SAM := $(SAM_VENV)/bin/sam
SAM_VERSION := 1.170.0
CHECKOV_VENV := .tools/checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
CHECKOV_VERSION := 3.3.30
AUDIT_VENV := .tools/audit
# `make fuzz`: the long run; `make test` runs a bounded one (fuzz-quick).
FUZZ_EXAMPLES ?= 200
FUZZ_TIME ?= 900
# pyenv shims resolve python3.12/3.13 for `sam build` only when asked to.
export PYENV_VERSION ?= 3.11.7:3.12.1:3.13.0
export SAM_CLI_TELEMETRY := 0

.PHONY: run test lint unit fuzz fuzz-quick bandit iam security audit sam-validate sam-build bench \
	clean openapi

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -e '.[dev]'
	touch $@

$(SAM): 
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv
	$(SAM_VENV)/bin/uv pip install --quiet --python $(SAM_VENV)/bin/python aws-sam-cli==$(SAM_VERSION)

$(CHECKOV):
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv
	$(CHECKOV_VENV)/bin/uv pip install --quiet --python $(CHECKOV_VENV)/bin/python checkov==$(CHECKOV_VERSION)

run: $(STAMP)
	$(BIN)/leadlists serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2

fuzz-quick: $(STAMP)
	$(BIN)/leadlists fuzz --max-examples 10

fuzz: $(STAMP)
	$(BIN)/leadlists fuzz --max-examples $(FUZZ_EXAMPLES) --max-time $(FUZZ_TIME)

bandit: $(STAMP)
	$(BIN)/bandit -q -r layers functions local scripts

# No IAM wildcard on actions or resources: cfn-lint (our rule) and checkov on the transformed template.
iam: $(SAM) $(CHECKOV)
	SAM_PYTHON=$(SAM_VENV)/bin/python CFN_LINT=$(SAM_VENV)/bin/cfn-lint CHECKOV=$(CHECKOV) \
		bash scripts/check_iam.sh

security: bandit iam

# Known vulnerabilities in the layer's pinned dependencies. Needs the PyPI JSON API or OSV,
# so it is not part of `make test` (CI machines reach only the package index).
audit:
	test -x $(AUDIT_VENV)/bin/python || $(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check pip-audit==2.10.1
	$(AUDIT_VENV)/bin/pip-audit --strict -r layers/common/requirements.txt

sam-validate: $(SAM)
	$(SAM) validate --lint

sam-build: $(SAM)
	$(SAM) build --parallel
	bash scripts/check_layer_arch.sh

# pytest runs last so that its closing summary is the last line `make test` (and CI) prints.
test: lint fuzz-quick security sam-validate sam-build
	$(BIN)/pytest -n 2

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .tools .aws-sam

openapi: $(STAMP)
	$(BIN)/python -m leadlists_local.openapi
