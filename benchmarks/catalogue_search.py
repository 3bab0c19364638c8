"""Catalogue search over 20,000 synthetic products: the BM25 + char n-gram index against a plain linear scan, in one run.

    .venv/bin/python benchmarks/catalogue_search.py [--products 20000] [--queries 200]

Products come from the demo shop's own catalogue makers (demo_shop.seeding.catalog), in memory;
queries are product names, name fragments and shopper phrases. Prints p50/p95 per query for both,
the speed-up ratio, and how often both put the same product first.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from types import SimpleNamespace

from _common import setup_django

setup_django("catalogue_search", fresh=False, migrate=False, keep_database_url=True)   # no database used

from demo_shop.seeding.catalog import CATEGORIES, make_product, search_queries  # noqa: E402
from ecom_ai.nlp.search import CatalogueIndex, linear_scan  # noqa: E402


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=20000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--scan-queries", type=int, default=40, help="queries timed for the (slow) linear scan")
    args = ap.parse_args()
    rng = random.Random(0)
    products = []
    for i in range(args.products):
        cat = CATEGORIES[i % len(CATEGORIES)][0]
        f = make_product(rng, cat, rng.randrange(3), rng.randrange(3))
        products.append(SimpleNamespace(id=i + 1, name=f["name"], category=cat, description=f["description"], attributes=f["attributes"]))
    queries = []
    for _ in range(args.queries):
        p = products[rng.randrange(len(products))]
        kind = rng.random()
        if kind < 0.4:
            queries.append(p.name)
        elif kind < 0.7:
            words = p.name.split()
            queries.append(" ".join(words[: max(1, len(words) // 2 + 1)]) + " 电池多大")
        else:
            cat = next(c for c in CATEGORIES if c[0] == p.category)[0]
            queries.append(rng.choice(search_queries(cat, rng.randrange(3))))

    t0 = time.perf_counter()
    index = CatalogueIndex(products)
    build_s = time.perf_counter() - t0
    index.search(queries[0])  # warm up jieba caches
    fast = []
    for q in queries:
        t = time.perf_counter()
        index.search(q, limit=10)
        fast.append((time.perf_counter() - t) * 1000)
    slow, agree = [], 0
    for q in queries[: args.scan_queries]:
        t = time.perf_counter()
        scan = linear_scan(products, q, limit=10)
        slow.append((time.perf_counter() - t) * 1000)
        hits = index.search(q, limit=10)
        names = {products[h.product_id - 1].name for h in hits[:3]}
        agree += bool(scan and hits and products[scan[0][0] - 1].name in names)
    by_id = {p.id: p for p in products}
    exact = sum(by_id[index.search(p.name, limit=1)[0].product_id].name == p.name for p in products[:200])

    print(f"catalogue search over {len(products):,} products, {len(queries)} queries (scan: {len(slow)})")
    print(f"  index build: {build_s:.2f}s")
    print(f"  index  p50 {statistics.median(fast):8.2f} ms   p95 {pct(fast, 95):8.2f} ms")
    print(f"  scan   p50 {statistics.median(slow):8.2f} ms   p95 {pct(slow, 95):8.2f} ms")
    print(f"  speed-up: p50 ×{statistics.median(slow) / statistics.median(fast):.1f}, p95 ×{pct(slow, 95) / pct(fast, 95):.1f}")
    print(f"  the scan's top product (by name) within the index's top 3: {agree}/{len(slow)}")
    print(f"  a full product name as query → a product of that name first: {exact}/200")


if __name__ == "__main__":
    main()
