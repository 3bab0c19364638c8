"""Benchmark: summarising feedback at two sizes (5,000 and 50,000 real reviews over 50 and 500 products)
through the real path (job engine → pipeline → adapter → SQLite); prints time per review and the ratio.

    .venv/bin/python benchmarks/feedback.py [--small 5000] [--large 50000] [--per-product 100] [--no-classifier]
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import random
import sys
import tempfile
import time
from datetime import timedelta

from _common import setup_django


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=5000)
    parser.add_argument("--large", type=int, default=50000)
    parser.add_argument("--per-product", type=int, default=100)
    parser.add_argument("--no-classifier", action="store_true", help="sentiment from ratings instead of the classifier")
    args = parser.parse_args()

    setup_django("feedback")
    from django.conf import settings
    from django.test.utils import override_settings
    from django.utils import timezone

    from demo_shop.models import Category, Product, Review
    from ecom_ai.feedback.models import FeedbackSummary
    from ecom_ai.jobs import engine as jobs
    from ecom_ai.feedback.services import default_csv, train_sentiment_baseline

    path = default_csv()
    if path is None:
        sys.exit("needs shared/data/online_shopping_reviews.dev.csv.gz (or ECOM_AI_SENTIMENT_CSV)")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rng = random.Random(0)
    rng.shuffle(rows)
    by_cat: dict[str, list] = {}
    for row in rows:
        by_cat.setdefault(row["cat"], []).append(row)

    n_products = args.large // args.per_product
    cats = sorted(by_cat)
    categories = Category.objects.bulk_create([Category(name=c, slug=f"c{i}") for i, c in enumerate(cats)])
    products = Product.objects.bulk_create([
        Product(category=categories[i % len(cats)], name=f"{cats[i % len(cats)]}商品{i}", price="99.00") for i in range(n_products)])
    now = timezone.now()
    reviews, cursor = [], {c: 0 for c in cats}
    for i, product in enumerate(products):
        cat = cats[i % len(cats)]
        pool = by_cat[cat]
        for _ in range(args.per_product):
            row = pool[cursor[cat] % len(pool)]
            cursor[cat] += 1
            rating = rng.choice((4, 5)) if row["label"] == "1" else rng.choice((1, 2))
            reviews.append(Review(product=product, rating=rating, text=row["review"],
                                  created_at=now - timedelta(hours=rng.randrange(24 * 7 * 26))))
    t = time.perf_counter()
    Review.objects.bulk_create(reviews, batch_size=5000)
    print(f"built {len(products)} products, {len(reviews)} reviews in {time.perf_counter() - t:.1f}s")

    art_dir = tempfile.mkdtemp(prefix="bench_feedback_art_")
    with override_settings(ECOM_AI={**settings.ECOM_AI, "ARTIFACT_DIR": art_dir}):
        if not args.no_classifier:
            t = time.perf_counter()
            m = train_sentiment_baseline(out=io.StringIO(), csv=str(path), limit=5000, shop=False, refit=False)
            print(f"sentiment model (5,000-row sample, held-out accuracy {m['accuracy']:.3f}) trained in {time.perf_counter() - t:.1f}s")
        from ecom_ai.nlp import text as text_module

        # warm-up, untimed: jieba's dictionary and the model load once per process, as in a worker
        jobs.run_job_sync(jobs.start_job("feedback_summary", Product.objects.filter(pk__in=[p.pk for p in products[:5]]),
                                         dispatch=False))
        results = {}
        # small, large, small again: the two small runs show how much the machine's load moves a figure
        for run, size in enumerate((args.small, args.large, args.small)):
            k = size // args.per_product
            offset = n_products - k if run == 2 else 0  # other products the second time, so no cache helps
            qs = Product.objects.filter(pk__in=[p.pk for p in products[offset:offset + k]])
            text_module._cut.cache_clear()  # no run profits from words cut by an earlier one
            t = time.perf_counter()
            job = jobs.run_job_sync(jobs.start_job("feedback_summary", qs, dispatch=False))
            seconds = time.perf_counter() - t
            summaries = FeedbackSummary.objects.filter(job=job)
            n_reviews = sum(summaries.values_list("review_count", flat=True))
            good = summaries.filter(status="good").count()
            results.setdefault(size, []).append(seconds / max(n_reviews, 1))
            print(f"{k:>4} products, {n_reviews:>6} reviews: {seconds:6.1f}s total, {1e3 * results[size][-1]:.3f} ms/review, "
                  f"{good}/{summaries.count()} summaries good, job {job.status}")
    small = sum(results[args.small]) / len(results[args.small])
    ratio = results[args.large][0] / small
    print(f"time per review, {args.large:,} vs {args.small:,} reviews (mean of its two runs): ratio {ratio:.2f} (flat is 1.00); "
          f"the two {args.small:,} runs differ by {results[args.small][1] / results[args.small][0]:.2f}x")


if __name__ == "__main__":
    main()
