# QMSS – the two commands: `make run` and `make test`. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
QMSS := $(BIN)/qmss
QMSS_PORT ?= 8000
export QMSS_PORT

.PHONY: run dev setup test lint bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed
	$(QMSS) compile_translations
	$(QMSS) migrate --noinput
	$(QMSS) collectstatic --noinput --verbosity 0
	$(QMSS) bootstrap

# Production server: gunicorn with the options of gunicorn.conf.py (workers, threads, logs in var/), and the
# background worker beside it; Ctrl+C stops both.
run: setup
	@echo "QMSS běží na http://127.0.0.1:$(QMSS_PORT)/ (gunicorn, Ctrl+C ukončí); úlohy na pozadí zpracovává qmss db_worker"
	@echo "Chyby serveru: var/gunicorn.log, úlohy na pozadí: var/worker.log"
	@$(QMSS) db_worker --interval 1 >> var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' INT TERM EXIT; \
	$(BIN)/gunicorn --config gunicorn.conf.py

# Development: Django's runserver (reloads on code changes, DEBUG pages when DEBUG=1), with the worker.
dev: setup
	@echo "QMSS (vývojový server) běží na http://127.0.0.1:$(QMSS_PORT)/ (Ctrl+C ukončí); úlohy na pozadí zpracovává qmss db_worker"
	@$(QMSS) db_worker --interval 1 >> var/worker.log 2>&1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' INT TERM EXIT; \
	$(QMSS) runserver 127.0.0.1:$(QMSS_PORT)

test: $(VENV)/.installed
	bash scripts/test.sh

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py

# Developers: refresh the message catalogues after changing strings (needs GNU gettext).
messages: $(VENV)/.installed
	cd src/qmss && ../../$(QMSS) makemessages --locale cs --locale en --ignore "*/migrations/*"
	$(QMSS) compile_translations

clean:
	rm -rf $(VENV) staticfiles
