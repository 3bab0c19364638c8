"""Benchmark: starting a job over N selected rows from the admin action.

Prints, measured side by side in one run: the number of queries for 100, 1,000 and 10,000 rows
(it must not grow with the count), and the time of the admin action over 10,000 rows against one
bulk insert of the same 10,000 item rows (the floor any job start must pay).

    .venv/bin/python benchmarks/start_job.py [--rows 10000] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/start_job.py
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

from _common import setup_django

os.environ["CELERY_BROKER_URL"] = "memory://"  # the message is published, no worker runs it


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    setup_django("start_job", keep_database_url=True)    # DATABASE_URL=postgres://... is kept
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.db import connection, transaction
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from demo_shop.models import Category, Product
    from ecom_ai.jobs.models import AIJob, AIJobItem

    AIJob.objects.all().delete()
    Product.objects.all().delete()
    cat, _ = Category.objects.get_or_create(name="手机", defaults={"slug": "phone"})
    Product.objects.bulk_create(
        [Product(category=cat, name=f"测试手机 {i}", price=999, cost=500, stock=10) for i in range(args.rows)],
        batch_size=2000,
    )
    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_staff": True, "is_superuser": True})
    model_admin = admin.site._registry[Product]
    action = model_admin.get_actions(_request(RequestFactory(), user, FallbackStorage))["start_feedback_summary_job"][0]

    def run_action(queryset):
        request = _request(RequestFactory(), user, FallbackStorage)
        with transaction.atomic():
            action(model_admin, request, queryset)

    # 1. queries against the number of selected rows
    ids = list(Product.objects.order_by("id").values_list("id", flat=True))
    counts = {}
    run_action(Product.objects.filter(id=ids[0]))  # warm the content-type cache, as a running site has
    for n in (100, 1_000, args.rows):
        selection = Product.objects.filter(id__lte=ids[n - 1])
        with CaptureQueriesContext(connection) as ctx:
            run_action(selection)
        counts[n] = len(ctx.captured_queries)

    # 2. the action over all rows against one bulk insert of the same rows, interleaved
    action_times, bulk_times = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        run_action(Product.objects.all())
        action_times.append(time.perf_counter() - t)

        job = AIJob.objects.create(kind="feedback_summary")
        t = time.perf_counter()
        with transaction.atomic():
            AIJobItem.objects.bulk_create([AIJobItem(job=job, target_id=str(pk)) for pk in ids])
        bulk_times.append(time.perf_counter() - t)

    a, b = statistics.median(action_times), statistics.median(bulk_times)
    print(f"database: {connection.vendor}")
    print("queries per admin action: " + ", ".join(f"{n:,} rows → {c}" for n, c in counts.items()))
    print(f"queries grow with rows: {'NO' if len(set(counts.values())) == 1 else 'YES'}")
    print(f"admin action over {args.rows:,} rows: median {a * 1000:.1f} ms; "
          f"one bulk insert of the same rows: median {b * 1000:.1f} ms")
    print(f"ratio action / bulk insert: {a / b:.2f}x")


def _request(factory, user, storage):
    request = factory.post("/admin/demo_shop/product/")
    request.user = user
    request.session = {}
    request._messages = storage(request)
    return request


if __name__ == "__main__":
    main()
