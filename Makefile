# lawdesk — two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres:postgres@127.0.0.1:5432/lawdesk

.PHONY: demo test test-sqlite test-postgres lint install install-dev system-test-deps clean messages makemessages

$(BIN)/python:
	@./scripts/ensure-venv.sh "$(PYTHON)" "$(VENV)"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@./scripts/pip-install.sh "$(VENV)" "lawdesk" -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@./scripts/pip-install.sh "$(VENV)" "lawdesk and its test tools" -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make demo: install, migrate, seed, run the web server and the worker, print the logins.
demo: install
	@./scripts/ensure-system-libs.sh
	@./scripts/compile-messages.sh
	@$(BIN)/lawdesk up

## make messages: compile the translation catalogues (src/lawdesk/locale) for Django.
messages:
	@./scripts/compile-messages.sh

## make makemessages: add new translatable strings to the French catalogue (then translate them).
makemessages:
	@./scripts/make-messages.sh

system-test-deps:
	./scripts/ensure-system-libs.sh
	./scripts/ensure-chromium.sh
	./scripts/ensure-postgres.sh
	./scripts/ensure-java.sh

## make test: everything the tests need, then the whole suite on SQLite and on PostgreSQL.
test: install-dev system-test-deps
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite: messages
	@echo "=== test suite on SQLite ==="
	LAWDESK_MODE=test LAWDESK_REQUIRE_SPARK=1 LAWDESK_HOME=$(CURDIR)/var/test-sqlite DATABASE_URL=sqlite:///$(CURDIR)/var/test-sqlite/db.sqlite3 \
		$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: messages
	@echo "=== test suite on PostgreSQL ==="
	LAWDESK_MODE=test LAWDESK_REQUIRE_SPARK=1 LAWDESK_HOME=$(CURDIR)/var/test-postgres DATABASE_URL=$(PG_URL) \
		$(BIN)/pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports --no-cache  # the layers contract in pyproject.toml

clean:
	rm -rf var/test-sqlite var/test-postgres
