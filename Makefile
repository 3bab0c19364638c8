# The two commands a newcomer needs: `make demo` and `make test`. Both set everything up.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test test-services worker serve benchmarks clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

install: $(VENV)/.installed

# The demo shop on the embedded defaults: SQLite, the filesystem broker, one worker, the dev server.
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_setup
	@echo "Starting a Celery worker (log: var/worker.log) and the server at http://$(HOST):$(PORT)/admin/"
	@mkdir -p var
	@$(VENV)/bin/celery -A demo_shop worker -B -s var/celerybeat-schedule -l info -c 2 > var/worker.log 2>&1 & echo $$! > var/worker.pid; \
	trap 'kill $$(cat var/worker.pid) 2>/dev/null; rm -f var/worker.pid' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite on SQLite with tasks run eagerly: no service needed.
test: install
	$(VENV)/bin/pytest -q

# The suite again on PostgreSQL with a live worker on Redis (what CI adds); fails if a service is missing.
test-services: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ecom_ai} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/15} \
	ECOM_AI_REQUIRE_SERVICES=1 $(VENV)/bin/pytest -q

worker: install
	$(VENV)/bin/celery -A demo_shop worker -l info

benchmarks: install
	@for b in benchmarks/*.py; do case $$b in */_*) continue;; esac; echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf var db.sqlite3 .pytest_cache
