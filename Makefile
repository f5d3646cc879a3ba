# Monitoring and alerting for the serverless cart-migration service.
# `make demo` and `make test` set up everything they need on a fresh machine.

SHELL := /bin/bash
.DEFAULT_GOAL := help

ROOT        := $(abspath .)
BUILD       := $(ROOT)/build
VENV_DIR    := $(ROOT)/.venv
DEV_VENV    := $(VENV_DIR)/dev
EMU_VENV    := $(VENV_DIR)/emulator
DEV_PY      := $(DEV_VENV)/bin/python
EMU_PY      := $(EMU_VENV)/bin/python
# Python 3.13 is what LocalStack needs and what the Lambda runs on; PYTHON313 overrides discovery.
PYTHON313   ?= $(shell command -v python3.13 >/dev/null 2>&1 && python3.13 -c 'import sys' >/dev/null 2>&1 && command -v python3.13 || ls -d $$HOME/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13 2>/dev/null | head -n 1)

# pip byte-compiles every module it installs (the three venvs hold tens of thousands), which took
# most of the set-up time; without it Python compiles, once, only the modules that are imported.
PIP_NO_COMPILE := --no-compile

export TF_CLI_CONFIG_FILE := $(BUILD)/terraformrc
export TF_IN_AUTOMATION := 1

# `make help` prints the targets that carry a `## ` comment, under the `##@ ` heading above them:
# those comments are the only list of targets. The groups run from using the module to releasing it.
.PHONY: help
help:
	@awk 'BEGIN { FS = ":.*## "; print "Usage: make <target> [VARIABLE=value]" } \
	  /^##@ / { printf "\n%s\n", substr($$0, 5); next } \
	  /^[a-z][a-zA-Z_-]+:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

$(BUILD)/terraformrc: bootstrap/terraformrc.py
	@python3 bootstrap/terraformrc.py $@

# The Lambda, the emulator's pure engines and the harness are installed editable: imports need no path tricks.
$(DEV_VENV)/.installed: requirements/dev.txt requirements/aws-sdk.txt lambda_src/pyproject.toml emulator/pyproject.toml harness/pyproject.toml
	@test -n "$(PYTHON313)" || { echo "Python 3.13 not found: set PYTHON313=/path/to/python3.13" >&2; exit 1; }
	@mkdir -p $(BUILD) && rm -rf $(DEV_VENV) && $(PYTHON313) -m venv $(DEV_VENV)
	@$(DEV_PY) -m pip install --quiet --upgrade pip 2>$(BUILD)/pip-dev.log || { cat $(BUILD)/pip-dev.log >&2; exit 1; }
	@$(DEV_PY) -m pip install --quiet $(PIP_NO_COMPILE) -r requirements/dev.txt 2>>$(BUILD)/pip-dev.log || { cat $(BUILD)/pip-dev.log >&2; exit 1; }
	@$(DEV_PY) -m pip install --quiet --no-deps --no-build-isolation -e ./lambda_src -e ./emulator -e ./harness \
	  2>>$(BUILD)/pip-dev.log || { cat $(BUILD)/pip-dev.log >&2; exit 1; }
	@touch $@

$(EMU_VENV)/.installed: requirements/emulator.txt
	@test -n "$(PYTHON313)" || { echo "Python 3.13 not found: set PYTHON313=/path/to/python3.13" >&2; exit 1; }
	@mkdir -p $(BUILD) && rm -rf $(EMU_VENV) && $(PYTHON313) -m venv $(EMU_VENV)
	@$(EMU_PY) -m pip install --quiet --upgrade pip 2>$(BUILD)/pip-emulator.log || { cat $(BUILD)/pip-emulator.log >&2; exit 1; }
	@$(EMU_PY) -m pip install --quiet $(PIP_NO_COMPILE) -r requirements/emulator.txt 2>>$(BUILD)/pip-emulator.log || { cat $(BUILD)/pip-emulator.log >&2; exit 1; }
	@touch $@

# The plugins are installed editable: a code change needs only an emulator restart.
$(EMU_VENV)/.plugins: $(EMU_VENV)/.installed emulator/pyproject.toml
	@$(EMU_PY) -m pip install --quiet --no-deps -e ./emulator 2>>$(BUILD)/pip-emulator.log || { cat $(BUILD)/pip-emulator.log >&2; exit 1; }
	@touch $@

.PHONY: emulator-venv
emulator-venv: $(EMU_VENV)/.plugins

CHECKOV_VENV  := $(VENV_DIR)/checkov
WITH_EMULATOR := python3 bootstrap/emulator_launcher.py run --
# CloudWatch evaluates alarms every minute; the suite and the demo cannot wait that long.
FAST_ALARMS   := CARTMON_ALARM_EVALUATION_SECONDS=2
EXAMPLE       := examples/local
# Lambda architecture of the zip `make package` builds: x86_64 (build/cart_migration.zip) or
# arm64 (build/cart_migration-arm64.zip); it must match the module's lambda_architectures.
ARCH          ?= x86_64
# Token algorithm the zip verifies: RS256 (PyJWT and cryptography; serves HS256 too) or HS256 (a zip
# without them, build/cart_migration-hs256.zip), which must match the module's jwt_algorithm.
JWT_PACKAGE   ?= RS256
LAMBDA_ZIP    := $(BUILD)/cart_migration$(if $(filter arm64,$(ARCH)),-arm64,)$(if $(filter HS256,$(JWT_PACKAGE)),-hs256,).zip
TF_DIRS       := . $(sort $(dir $(wildcard modules/*/main.tf examples/*/main.tf)))
# `terraform test` (make tftest) validates the configurations it plans: the root and every example.
TF_TESTED_DIRS := . $(sort $(dir $(wildcard examples/*/main.tf)))
TF_VALIDATE_DIRS ?= $(TF_DIRS)
TF_LOCAL_VARS := -var lambda_package_path=$(LAMBDA_ZIP)
PYTEST_ARGS   ?=

# checkov pins boto3 and packaging versions the dev venv cannot share: a venv of its own.
$(CHECKOV_VENV)/.installed: requirements/checkov.txt
	@test -n "$(PYTHON313)" || { echo "Python 3.13 not found: set PYTHON313=/path/to/python3.13" >&2; exit 1; }
	@mkdir -p $(BUILD) && rm -rf $(CHECKOV_VENV) && $(PYTHON313) -m venv $(CHECKOV_VENV)
	@$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip 2>$(BUILD)/pip-checkov.log || { cat $(BUILD)/pip-checkov.log >&2; exit 1; }
	@$(CHECKOV_VENV)/bin/python -m pip install --quiet $(PIP_NO_COMPILE) -r requirements/checkov.txt 2>>$(BUILD)/pip-checkov.log || { cat $(BUILD)/pip-checkov.log >&2; exit 1; }
	@touch $@

$(LAMBDA_ZIP): $(DEV_VENV)/.installed requirements/lambda.txt requirements/aws-sdk.txt $(shell find lambda_src -type f -not -path '*/__pycache__/*' 2>/dev/null) bootstrap/package_lambda.py
	@$(DEV_PY) bootstrap/package_lambda.py $@ --arch $(ARCH) --algorithm $(JWT_PACKAGE)

##@ Use the module: try it on the embedded emulator, deploy the local example, run and review it

.PHONY: demo
demo: venv emulator-venv terraformrc package ## The whole monitoring story on the embedded emulator (KEEP=1 leaves it up)
ifeq ($(KEEP),1)
	@export $(FAST_ALARMS) AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=ap-south-1 && \
	  export $$(python3 bootstrap/emulator_launcher.py start | tail -n 1) && $(DEV_VENV)/bin/cartmon-demo --keep
else
	@$(FAST_ALARMS) $(WITH_EMULATOR) $(DEV_VENV)/bin/cartmon-demo
endif

.PHONY: terraformrc
terraformrc: $(BUILD)/terraformrc ## Write the Terraform CLI config (provider mirror or registry)

.PHONY: emulator
emulator: $(EMU_VENV)/.plugins ## Start the embedded emulator in the background; last line AWS_ENDPOINT_URL=...
	@python3 bootstrap/emulator_launcher.py start

.PHONY: emulator-stop
emulator-stop: ## Stop the emulator this checkout started, with every child process
	@python3 bootstrap/emulator_launcher.py stop

$(EXAMPLE)/.terraform/.initialised: $(BUILD)/terraformrc $(wildcard $(EXAMPLE)/*.tf)
	@cd $(EXAMPLE) && terraform init -input=false -upgrade=false >/dev/null
	@touch $@

.PHONY: plan
plan: terraformrc package emulator $(EXAMPLE)/.terraform/.initialised ## Plan the local example on the emulator; JSON to build/plan.json
	@export $$(python3 bootstrap/emulator_launcher.py status) AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=ap-south-1 && \
	  cd $(EXAMPLE) && terraform plan -input=false $(TF_LOCAL_VARS) -out=$(BUILD)/plan.tfplan && \
	  terraform show -json $(BUILD)/plan.tfplan > $(BUILD)/plan.json
	@echo "plan written to build/plan.json"

.PHONY: cost
cost: plan ## Monthly cost estimate of the planned resources, unit prices beside each line
	@$(DEV_VENV)/bin/cartmon-cost $(BUILD)/plan.json

# Terraform's output (the plan of ~300 resources, then every output, `slos` alone a thousand lines)
# goes whole to build/apply.log (destroy.log); the terminal gets progress, errors and a summary.

.PHONY: apply
apply: venv terraformrc package emulator $(EXAMPLE)/.terraform/.initialised ## Apply the local example to the emulator; outputs to build/outputs.json, a summary printed
	@set -o pipefail && export $$(python3 bootstrap/emulator_launcher.py status) AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=ap-south-1 && \
	  cd $(EXAMPLE) && terraform apply -input=false -auto-approve -no-color -compact-warnings $(TF_LOCAL_VARS) 2>&1 \
	    | $(DEV_PY) -m cartmon.ops.apply_summary progress $(BUILD)/apply.log && \
	  terraform output -json > $(BUILD)/outputs.json && terraform show -json > $(BUILD)/state.json
	@$(DEV_PY) -m cartmon.ops.apply_summary outputs $(BUILD)/outputs.json

DURATION     ?= 15m
RATE         ?= 20
FAILURE_RATE ?= 0.05
.PHONY: traffic
traffic: venv ## Shop traffic through the real handler against the applied stack: make traffic [DURATION=15m RATE=20 FAILURE_RATE=0.05]
	@$(DEV_VENV)/bin/cartmon-traffic --duration "$(DURATION)" --rate "$(RATE)" --failure-rate "$(FAILURE_RATE)"

SINCE ?= 1h
.PHONY: query
query: venv ## Run a saved Logs Insights query: make query NAME="Top Failure Reasons" [SINCE=2h]; without NAME, list them
	@$(DEV_VENV)/bin/cartmon-query "$(NAME)" --since "$(SINCE)"

.PHONY: review
review: venv ## The weekly review as Markdown and HTML in build/review/: make review [SINCE=7d] (emulator if running, else AWS; reads build/outputs.json and state.json of make apply)
	@$(DEV_VENV)/bin/cartmon-review --since "$(if $(filter file,$(origin SINCE)),7d,$(SINCE))" --out $(BUILD)/review \
	  $(if $(wildcard $(BUILD)/outputs.json),--outputs $(BUILD)/outputs.json) \
	  $(if $(wildcard $(BUILD)/state.json),--state $(BUILD)/state.json,$(if $(wildcard $(BUILD)/plan.json),--state $(BUILD)/plan.json))

.PHONY: destroy
destroy: venv terraformrc $(EXAMPLE)/.terraform/.initialised ## Destroy the local example on the running emulator
	@set -o pipefail && export $$(python3 bootstrap/emulator_launcher.py status) AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=ap-south-1 && \
	  cd $(EXAMPLE) && terraform destroy -input=false -auto-approve -no-color -compact-warnings $(TF_LOCAL_VARS) 2>&1 \
	    | $(DEV_PY) -m cartmon.ops.apply_summary progress $(BUILD)/destroy.log
	@rm -f $(BUILD)/outputs.json $(BUILD)/state.json

##@ Check and develop: the suite, the gates, formatting, generated docs, measurements

# Set when make reads this file, before any prerequisite is built: `make test` on a fresh clone
# times its set-up too. The bench reports the last recorded run (build/make-test.json).
MAKE_STARTED := $(shell date +%s)
FRESH_SETUP  := $(if $(wildcard $(DEV_VENV)/.installed),false,true)

# The three venvs do not depend on each other: pip builds them side by side.
SETUP_PARTS   := venv emulator-venv terraformrc package $(CHECKOV_VENV)/.installed
# The suite runs on TEST_WORKERS pytest-xdist workers; `--dist loadgroup` keeps the tests that carry
# one `xdist_group` mark (the applied stack, the plans, the hardening suite) in one worker each, and
# each other test module in one worker (tests/conftest.py). TEST_WORKERS=0 runs it in one process.
TEST_WORKERS  ?= 3

.PHONY: setup
setup: ## Build the venvs, the Terraform CLI config and the Lambda zip, side by side
	@$(MAKE) --no-print-directory -j5 $(SETUP_PARTS)

# Started as soon as its venv is built, while the rest of the set-up builds; it stops by itself
# when the process EMULATOR_OWNER (the shell of `make test`) is gone. Nothing if one is up already.
.PHONY: emulator-background
emulator-background: $(EMU_VENV)/.plugins
	@$(FAST_ALARMS) python3 bootstrap/emulator_launcher.py start --background \
	  $(if $(EMULATOR_OWNER),--owner-pid $(EMULATOR_OWNER)) >/dev/null

# make check, then make tftest: both run `terraform init` in the root, so one after the other. check
# leaves to tftest the directories tftest plans (and so validates): the same gates, less CPU.
.PHONY: gates
gates: venv terraformrc
	@$(MAKE) --no-print-directory check TF_VALIDATE_DIRS="$(filter-out $(TF_TESTED_DIRS),$(TF_DIRS))" && \
	  $(MAKE) --no-print-directory tftest

# The gates beside the suite: their output is kept and printed in one piece when they end, so it
# does not break up pytest's progress lines. The suite never reads the working tree's .terraform
# directories (tests/ run Terraform in copies of the module), so the two do not meet.
.PHONY: gates-beside-suite
gates-beside-suite: venv terraformrc
	@$(MAKE) --no-print-directory gates > $(BUILD)/gates.log 2>&1; status=$$?; \
	  cat $(BUILD)/gates.log; [ $$status -eq 0 ] || echo "make test: the gates failed (above)" >&2; exit $$status

.PHONY: suite
suite: $(SETUP_PARTS) emulator-background
	@$(FAST_ALARMS) $(WITH_EMULATOR) $(DEV_PY) -m pytest -n $(TEST_WORKERS) $(if $(filter 0,$(TEST_WORKERS)),,--dist loadgroup) $(PYTEST_ARGS)

.PHONY: test
# The emulator starts while the rest of the set-up builds; the gates and the offline terraform tests
# run beside the suite, which spends much of its time waiting on the emulator. Either failing fails.
test: ## The cheap gates (make check) and offline terraform tests beside the whole suite (starts an emulator if none is up)
	@$(MAKE) --no-print-directory -j8 suite gates-beside-suite EMULATOR_OWNER=$$$$; status=$$?; \
	  python3 bootstrap/emulator_launcher.py stop --owner-pid $$$$ 2>/dev/null; \
	  printf '{"seconds": %s, "fresh_setup": %s, "exit_status": %s, "pytest_args": "%s", "finished_at": "%s"}\n' \
	    $$(( $$(date +%s) - $(MAKE_STARTED) )) $(FRESH_SETUP) $$status "$(PYTEST_ARGS)" "$$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	    > $(BUILD)/make-test.json; exit $$status

# Offline: a mocked AWS provider, so no credentials and no endpoint may leak in.
OFFLINE_TF := env -u AWS_ENDPOINT_URL -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE terraform

.PHONY: tftest
tftest: terraformrc ## terraform test: plan the root module and every example offline (tests/terraform, mocked provider)
	@terraform init -backend=false -input=false -test-directory=tests/terraform >/dev/null
	@$(OFFLINE_TF) test -test-directory=tests/terraform
	@# The import block of examples/existing-function is allowed only in a root module: tested there.
	@cd examples/existing-function && terraform init -backend=false -input=false >/dev/null && $(OFFLINE_TF) test

.PHONY: checkov
checkov: $(CHECKOV_VENV)/.installed ## Infrastructure security scan (pinned checkov; settings in .checkov.yaml)
	@$(CHECKOV_VENV)/bin/checkov -d . --quiet --compact

.PHONY: reliability
reliability: venv emulator-venv terraformrc package $(CHECKOV_VENV)/.installed ## Hardening suite; prints its table of figures
	@$(WITH_EMULATOR) $(DEV_PY) -m pytest tests/reliability $(PYTEST_ARGS); status=$$?; \
	  $(DEV_VENV)/bin/cartmon-reliability-report && exit $$status

.PHONY: fmt
fmt: venv ## Format HCL and Python
	@terraform fmt -recursive .
	@$(DEV_VENV)/bin/ruff format lambda_src emulator harness bootstrap tests

.PHONY: check
check: venv terraformrc ## Cheap gates: terraform fmt -check and validate everywhere, ruff, mypy, README tables up to date
	@terraform fmt -check -recursive .
	@for dir in $(TF_VALIDATE_DIRS); do \
	  (cd $$dir && terraform init -backend=false -input=false >/dev/null && terraform validate -no-color >/dev/null) \
	    || { echo "terraform validate failed in $$dir" >&2; exit 1; }; \
	done; echo "terraform validate: $(words $(TF_VALIDATE_DIRS)) directories ok"
	@$(DEV_VENV)/bin/ruff check lambda_src emulator harness bootstrap tests
	@$(DEV_VENV)/bin/ruff format --check lambda_src emulator harness bootstrap tests
	@$(DEV_VENV)/bin/mypy
	@$(DEV_PY) -m cartmon.dev.generate_event_methods --check
	@$(DEV_VENV)/bin/cartmon-docs --check

.PHONY: lint
lint: check checkov ## make check, plus the checkov security scan

.PHONY: docs
docs: venv ## Regenerate the reference tables of every module's README, the generated figures in the docs and the Lambda's event methods
	@$(DEV_VENV)/bin/cartmon-docs
	@$(DEV_PY) -m cartmon.dev.generate_event_methods

.PHONY: docs-plan
docs-plan: plan ## make docs, plus the README figures read from the plan (alarm counts, make cost's month)
	@$(DEV_VENV)/bin/cartmon-docs --plan $(BUILD)/plan.json

.PHONY: bench
bench: venv emulator-venv terraformrc package ## Measure and write BENCHMARKS.md
	@$(MAKE) --no-print-directory package JWT_PACKAGE=HS256
	@$(WITH_EMULATOR) $(DEV_VENV)/bin/cartmon-bench

.PHONY: alert-quality
alert-quality: venv terraformrc ## Replay a simulated week through the planned alarms (planned offline, cached in build/); write docs/alert-quality.md and the figures copied from it
	@$(DEV_VENV)/bin/cartmon-alert-quality
	@$(DEV_VENV)/bin/cartmon-docs   # the figures other documents copy from docs/alert-quality.md

.PHONY: venv
venv: $(DEV_VENV)/.installed ## Create the development venv

.PHONY: clean
clean: ## Remove build output and venvs
	@rm -rf $(BUILD) $(VENV_DIR) $(ROOT)/dist

##@ Release: the Lambda zip and the release artefacts

.PHONY: package
package: $(LAMBDA_ZIP) ## Build the Lambda deployment zip reproducibly under build/ (ARCH=arm64 for Graviton, JWT_PACKAGE=HS256 without cryptography)

.PHONY: release
release: venv ## Release artefacts in dist/: a Lambda zip per architecture and JWT algorithm (RS256, HS256), their SHA-256, manifest.json
	@$(DEV_PY) bootstrap/release.py $(ROOT)/dist
