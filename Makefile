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

# The whole suite on SQLite with tasks run eagerly: no service needed.
test: install
	$(VENV)/bin/pytest -q

# The suite again on PostgreSQL with a live worker on Redis (what CI adds); fails if a service is missing.
test-services: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ecom_ai} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/15} \
	ECOM_AI_REQUIRE_SERVICES=1 $(VENV)/bin/pytest -q

# The shop's own sentiment transformer on a labelled review corpus (cat,label,review): a character
# tokenizer, masked-LM pre-training from scratch, then fine-tuning (mean pooling, with an n-gram model's
# out-of-fold probabilities as soft labels) beside the scikit-learn baseline; the better one serves.
# About 45 minutes on 2 CPU cores; minutes with CUDA. benchmarks/sentiment_recipe.py measures it.
CORPUS ?= ../shared/data/online_shopping_reviews.dev.csv.gz
SIZE ?= --param hidden=192 --param layers=3 --param heads=4 --param seq=128
train-sentiment: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py ecom_ai train tokenizer --csv $(CORPUS) --param model=char --param csv_limit=0
	$(PY) manage.py ecom_ai train pretrain --csv $(CORPUS) --param model=masked --param csv_limit=0 $(SIZE) \
		--param epochs=6 --param batch_size=64 --param lr=0.001 --param eval_every=500 --param test_size=0.02
	$(PY) manage.py ecom_ai train finetune-classifier --csv $(CORPUS) --param task=sentiment --param max_examples=0 \
		--param shop=false --param test_size=0.05 --param epochs=4 --param lr=0.0003 --param batch_size=64 \
		--param eval_every=200 --param pool=mean --param distill=0.7

worker: install
	$(VENV)/bin/celery -A demo_shop worker -l info

benchmarks: install
	@for b in benchmarks/*.py; do case $$b in */_*) continue;; esac; echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf var db.sqlite3 .pytest_cache
