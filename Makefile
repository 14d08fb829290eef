# BAKSO — the two doors are `make run` and `make test`; `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000
export BAKSO_DATA_DIR ?= $(CURDIR)/var

.PHONY: help install run seed test lint typecheck pytest clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: $(STAMP) ## create .venv and install BAKSO with its dev tools (only when missing or changed)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[local,aws,dev]'
	@rm -f $(VENV)/.installed-* && touch $@

run: install ## seed demo data and start the local server with its worker
	@$(BIN)/bakso seed-demo
	@echo "Buka http://$(HOST):$(PORT)/  (Ctrl+C untuk berhenti)"
	@$(BIN)/bakso serve --host $(HOST) --port $(PORT)

seed: install ## create the demo officers
	$(BIN)/bakso seed-demo

test: install lint typecheck pytest ## lint, type checks and every test suite

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check backend tests
	$(BIN)/ruff format --check backend tests

typecheck: install ## mypy (strict) on backend/
	$(BIN)/mypy

pytest: install ## Python tests: unit, contract, integration
	$(BIN)/pytest -q

clean: ## remove local data and the venv
	rm -rf var $(VENV)
