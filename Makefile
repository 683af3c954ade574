# EmotionHub — the two commands: `make demo` and `make test`. See README.md.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test lint bench venv ml clean-demo

$(VENV)/.base-installed: requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@

$(VENV)/.ml-installed: $(VENV)/.base-installed requirements/ml.txt
	$(BIN)/python -m pip install --quiet -r requirements/ml.txt
	touch $@

venv: $(VENV)/.base-installed
ml: $(VENV)/.ml-installed

## demo: create the environment, migrate, seed demo data, run the web server and a q2 worker.
demo: export SITE_URL ?= http://$(HOST):$(PORT)
demo: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "EmotionHub demo: http://$(HOST):$(PORT)/   admin: http://$(HOST):$(PORT)/admin/   API docs: http://$(HOST):$(PORT)/api/docs/"
	@echo "Stop with Ctrl-C (stops the q2 worker too)."
	@mkdir -p var; \
	$(BIN)/python manage.py qcluster > var/qcluster.log 2>&1 & QPID=$$!; \
	trap 'kill $$QPID 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT) --noreload

## lint: ruff (lint and format check).
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## test: lint, system checks, migrations up to date, then the whole pytest suite (DATABASE_URL picks the database).
test: $(VENV)/.ml-installed lint
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## bench: the benchmarks, with their figures (medians and ratios to targets).
bench: venv
	$(BIN)/python manage.py bench $(BENCH_ARGS)

clean-demo:
	rm -f var/emotionhub.sqlite3 var/emotionhub.sqlite3-wal var/emotionhub.sqlite3-shm
