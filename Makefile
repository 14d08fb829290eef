# BAKSO — the two doors are `make run` and `make test`; `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
export BAKSO_DATA_DIR ?= $(CURDIR)/var
export BAKSO_CHROMIUM ?= /usr/bin/chromium
PWA_STAMP := pwa/node_modules/.installed-$(shell cksum pwa/package-lock.json | cut -d' ' -f1)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help install run seed test lint typecheck pytest pwa pwa-test browser ocr e2e clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv and install BAKSO with its dev tools (only when missing or changed)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[local,aws,dev]'
	@rm -f $(VENV)/.installed-* && touch $@

run: install pwa ## build the PWA, seed demo data and start the local server with its worker
	@$(BIN)/bakso seed-demo
	@echo "Buka http://$(HOST):$(PORT)/  (Ctrl+C untuk berhenti)"
	@$(BIN)/bakso serve --host $(HOST) --port $(PORT)

seed: install ## create the demo officers
	$(BIN)/bakso seed-demo

test: install lint typecheck pytest pwa-test e2e bench-smoke ## lint, type checks and every test suite

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check backend tests bench infra
	$(BIN)/ruff format --check backend tests bench infra

typecheck: install ## mypy (strict) on backend/
	$(BIN)/mypy

pytest: install ## Python tests: unit, contract, integration (browser tests: make e2e)
	$(BIN)/pytest -q -n auto

$(PWA_STAMP): pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund
	@rm -f pwa/node_modules/.installed-* && touch $@

pwa: $(PWA_STAMP) ## build the loket PWA into pwa/dist (npm ci first when node_modules is missing or stale)
	cd pwa && npm run build

pwa-test: $(PWA_STAMP) ## PWA checks: tsc --noEmit and the Vitest unit tests
	cd pwa && npx tsc --noEmit && npx vitest run

browser: ## install Debian's chromium for the browser tests when it is missing
	@test -x $(BAKSO_CHROMIUM) || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }
	@test -x $(BAKSO_CHROMIUM) || { echo "$(BAKSO_CHROMIUM) is missing; cannot run browser tests" >&2; exit 1; }

ocr: ## install Debian's tesseract when missing: the crop's browser test reads its scans back with it
	@command -v tesseract >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq tesseract-ocr; }
	@command -v tesseract >/dev/null || { echo "tesseract is missing; cannot run the browser tests" >&2; exit 1; }

e2e: install pwa browser ocr ## browser tests: Chromium (headless) against a real local server
	@tmp=$$(mktemp -d) && $(BIN)/pytest -q -p no:cacheprovider --basetemp=$$tmp -m e2e tests/e2e; \
		rc=$$?; rm -rf $$tmp; exit $$rc

.PHONY: bench bench-smoke bench-tools

bench-tools: ## zip (the batch baseline) and tesseract (the legibility check) when missing
	@command -v zip >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq zip; }
	@$(MAKE) --no-print-directory ocr 2>/dev/null || \
		echo "no tesseract: the legibility check falls back to PSNR" >&2

bench: install pwa browser bench-tools ## DESIGN §6 budgets beside same-run baselines (docs/benchmarks.md)
	$(BIN)/python -m bench

bench-smoke: install pwa browser bench-tools ## the bench at tiny sizes, so it cannot rot (in make test)
	@tmp=$$(mktemp -d) && $(BIN)/pytest -q -p no:cacheprovider --basetemp=$$tmp -m e2e tests/bench; \
		rc=$$?; rm -rf $$tmp; exit $$rc

.PHONY: deploy-venv
LAMBDA_PYTHON ?= python3.11

deploy-venv: ## .venv-deploy for `zappa deploy`: BAKSO, Zappa, wheels for the Lambda runtime (docs/deploy-aws.md)
	$(LAMBDA_PYTHON) infra/lambda_venv.py .venv-deploy

.PHONY: deploy-limits
deploy-limits: ## after `zappa deploy web`: WAF rate limits on its API stage, then show them and the concurrency
	$(PYTHON) infra/deploy_limits.py $(if $(STACK),--stack $(STACK))

clean: ## remove local data, the venvs and the PWA build
	rm -rf var $(VENV) .venv-zappa .venv-deploy pwa/dist pwa/node_modules
