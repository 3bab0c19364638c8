# The two commands a newcomer needs: `make demo` and `make test`. Both set everything up.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test test-services worker serve benchmarks train-sentiment clean

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

# The dependency contracts (pyproject.toml), then the whole suite on SQLite with tasks run eagerly:
# no service needed.
test: install
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -q

# The suite again on PostgreSQL with a live worker on Redis (what CI adds); fails if a service is missing.
test-services: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ecom_ai} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/15} \
	ECOM_AI_REQUIRE_SERVICES=1 $(VENV)/bin/pytest -q

# The shop's own sentiment transformer on a labelled review corpus (cat,label,review): 20% held back first,
# then a character tokenizer, masked-LM pre-training from scratch and fine-tuning (mean pooling, with an
# n-gram model's out-of-fold probabilities as soft labels) beside the scikit-learn baseline; both are scored
# on the held-back reviews and the better one serves. The recipe's parameters live in
# ecom_ai/training/recipes.py; override a step with PARAMS="--param pretrain.epochs=12 --param device=cuda".
# About 95 minutes on 2 CPU cores; minutes with CUDA. benchmarks/sentiment_recipe.py measures it.
CORPUS ?= ../shared/data/online_shopping_reviews.dev.csv.gz
PARAMS ?=
train-sentiment: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ecom_ai train sentiment-recipe --csv $(CORPUS) $(PARAMS)

worker: install
	$(VENV)/bin/celery -A demo_shop worker -l info

# Every benchmark but the long-running ones (marked "# long-running"); LONG=1 runs those too.
benchmarks: install
	@for b in benchmarks/*.py; do case $$b in */_*) continue;; esac; \
		if [ -z "$(LONG)" ] && grep -q '^# long-running' $$b; then echo "== $$b: long-running, skipped (LONG=1 runs it)"; continue; fi; \
		echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf var db.sqlite3 .pytest_cache
