"""Events ingested per second through ``POST /api/ecom-ai/events/`` on gunicorn + PostgreSQL, as a ratio
to a bare ``bulk_create`` of the same rows into the same table, measured in the same run.

Creates (drops first) the PostgreSQL database given, migrates it, makes ``--clients`` customers with a
session each, starts gunicorn (gthread) on 127.0.0.1 on a free port, and lets each client (a thread)
post ``--batches`` batches of ``--batch`` events (impressions, clicks, add-to-carts) over a kept-alive
connection. Then the table is emptied and the same rows are written by one ``bulk_create`` per batch
(``ignore_conflicts=True``, as the API does) from this process. Prints both rates and the ratio (target
≥ 0.3), and checks every posted event was stored once. Loopback only; stops by itself; gunicorn is
killed at the end; the database is dropped unless ``--keep``.

    .venv/bin/python benchmarks/events.py [--clients 8] [--batches 25] [--batch 200] [--workers 2] [--threads 4]
    [--database-url postgres://postgres@127.0.0.1:5432/ecom_ai_impact] [--keep]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone as dt_timezone
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import ROOT, _drop_database, _free_port, _recreate_database, start_gunicorn  # noqa: E402

KINDS = ("impression",) * 8 + ("click", "add_to_cart")
REQUEST_ID = "6f1c1b7e-6a7e-4f4e-9d8a-1b2c3d4e5f60"


def prepare(clients: int) -> list[dict]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from demo_shop.models import Customer

    call_command("migrate", verbosity=0)
    out = []
    for n in range(clients):
        user = get_user_model().objects.create_user(f"bench{n:03d}")
        customer = Customer.objects.create(user=user, name=user.username)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        out.append({"customer_id": customer.pk, "session": session.session_key, "csrf": secrets.token_hex(16)})
    return out


def batches_for(me: dict, n_batches: int, size: int, client: int) -> list[list[dict]]:
    at = datetime.now(dt_timezone.utc) - timedelta(hours=1)
    return [[{"event_id": f"c{client}-b{b}-e{i}", "kind": KINDS[i % len(KINDS)], "request_id": REQUEST_ID,
              "product_id": 1 + (i * 7 + b) % 300, "occurred_at": (at + timedelta(seconds=i)).isoformat()}
             for i in range(size)] for b in range(n_batches)]


def post_all(port: int, me: dict, batches: list[list[dict]], results: list, errors: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"sessionid={me['session']}; csrftoken={me['csrf']}", "X-CSRFToken": me["csrf"],
               "Content-Type": "application/json", "Accept": "application/json"}
    for batch in batches:
        try:
            conn.request("POST", "/api/ecom-ai/events/", body=json.dumps({"events": batch}), headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 202:
                errors.append(f"HTTP {resp.status}: {body[:300]!r}")
            else:
                results.append(len(batch))
        except (OSError, http.client.HTTPException) as exc:
            errors.append(repr(exc))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.close()


def bulk_baseline(plans: list[tuple[dict, list[list[dict]]]]) -> float:
    """Seconds for a bare bulk insert of the same rows, one bulk_create per batch."""
    from django.db import connection
    from django.utils.dateparse import parse_datetime

    from ecom_ai.impact.models import ImpactEvent

    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {ImpactEvent._meta.db_table}")
    rows = [[ImpactEvent(customer_id=me["customer_id"], event_id=e["event_id"], kind=e["kind"], source="recommendation",
                         request_id=e["request_id"], product_id=e["product_id"], occurred_at=parse_datetime(e["occurred_at"]))
             for e in batch] for me, batches in plans for batch in batches]
    started = time.perf_counter()
    for batch in rows:
        ImpactEvent.objects.bulk_create(batch, batch_size=1000, ignore_conflicts=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batches", type=int, default=25, help="batches per client")
    parser.add_argument("--batch", type=int, default=200, help="events per batch (at most ECOM_AI IMPACT MAX_BATCH)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default=os.environ.get("EVENTS_DATABASE_URL",
                                                                 "postgres://postgres@127.0.0.1:5432/ecom_ai_impact"))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("this benchmark runs on PostgreSQL: --database-url postgres://...")
    var_dir = Path(tempfile.mkdtemp(prefix="ecom_ai_events_"))
    env = {**os.environ, "DATABASE_URL": args.database_url, "DJANGO_SETTINGS_MODULE": "demo_shop.settings",
           "ECOM_AI_VAR_DIR": str(var_dir), "CELERY_BROKER_URL": "memory://", "DJANGO_DEBUG": "0",
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "ECOM_AI_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    os.environ.update(env)
    _recreate_database(args.database_url)
    import django

    django.setup()
    from django.db import connections

    from ecom_ai.impact.models import ImpactEvent

    clients = prepare(args.clients)
    plans = [(me, batches_for(me, args.batches, args.batch, i)) for i, me in enumerate(clients)]
    connections.close_all()
    port = _free_port()
    gunicorn = start_gunicorn(port, args.workers, args.threads, env, var_dir / "gunicorn.log")
    try:
        warm = batches_for(clients[0], args.workers * 2, 5, 999)       # load the code in every worker; deleted below
        warm_errors: list = []
        post_all(port, clients[0], warm, [], warm_errors)
        if warm_errors:
            raise SystemExit(f"warm-up failed: {warm_errors[:3]}")
        ImpactEvent.objects.filter(event_id__startswith="c999-").delete()
        results, errors = [], []
        threads = [threading.Thread(target=post_all, args=(port, me, batches, results, errors), daemon=True) for me, batches in plans]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        api_seconds = time.perf_counter() - started
    finally:
        os.killpg(gunicorn.pid, 15)
        try:
            gunicorn.wait(20)
        except Exception:  # noqa: BLE001
            os.killpg(gunicorn.pid, 9)
    sent = sum(results)
    stored = ImpactEvent.objects.count()
    bulk_seconds = bulk_baseline(plans)
    total = args.clients * args.batches * args.batch
    connections.close_all()
    if not args.keep:
        _drop_database(args.database_url)
    api_rate, bulk_rate = sent / api_seconds, total / bulk_seconds
    print(f"{args.clients} clients × {args.batches} batches × {args.batch} events = {total} events; gunicorn "
          f"{args.workers} workers × {args.threads} threads on PostgreSQL ({urlparse(args.database_url).path[1:]}), "
          f"{os.cpu_count()} CPU cores")
    print(f"through the API : {sent:>8} events in {api_seconds:6.2f}s = {api_rate:9.0f} events/s  ({stored} stored)")
    print(f"bare bulk insert: {total:>8} events in {bulk_seconds:6.2f}s = {bulk_rate:9.0f} events/s")
    print(f"ratio API / bulk: {api_rate / bulk_rate:.2f}  (target >= 0.3)")
    if errors:
        print(f"{len(errors)} errors, e.g. {errors[:3]}")
    ok = not errors and stored == total == sent
    if stored != total:
        print(f"stored {stored} of {total} events")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
