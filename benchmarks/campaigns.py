"""Campaign copy on a seeded demo shop: the evaluation figures, and what the checks cost next to generation,
measured side by side in one run.

Run: .venv/bin/python benchmarks/campaigns.py [--products 300] [--customers 500] [--campaigns 30]
Uses a throwaway SQLite database (/tmp/bench_campaigns.sqlite3).
"""
from __future__ import annotations

import argparse
import io
import time

from _common import setup_django


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--campaigns", type=int, default=30)
    args = parser.parse_args()

    setup_django("campaigns")
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("seed_demo", "--reset", "--seed", "1", "--products", str(args.products), "--customers", str(args.customers),
                 verbosity=0)
    print(f"seeded {args.products} products / {args.customers} customers in {time.perf_counter() - t:.1f}s")

    from ecom_ai.llm.checks import check_output
    from ecom_ai.llm.registry import backend_for
    from ecom_ai.campaigns import services as svc
    from ecom_ai.campaigns.evaluation import eval_campaigns

    out = io.StringIO()
    metrics = svc.evaluate(out=out, limit=args.campaigns, seed=0)
    print(out.getvalue())

    # the cost of the checks next to the cost of writing the copy (grounded backend), same copies
    limits = svc.get_limits()
    import random

    rng = random.Random(0)
    catalogue = list(__import__("ecom_ai.adapters", fromlist=["get_adapter"]).get_adapter().iter_products(only_active=True))
    campaigns = eval_campaigns(catalogue, rng, args.campaigns, limits, __import__("django.utils.timezone", fromlist=["now"]).now())
    prepared = [svc.prepare_copy(c, params={"languages": "both"}, products=p, limits=limits) for c, p in campaigns]
    requests = [r for _, reqs in prepared for (*_, r) in reqs]
    backend = backend_for("promo_copy")
    t = time.perf_counter()
    results = backend.generate(requests)
    gen_s = time.perf_counter() - t
    names = [p.name for p in catalogue]
    terms = svc.banned_terms()
    t = time.perf_counter()
    i = 0
    for facts, reqs in prepared:
        for (channel, language, _v, _r) in reqs:
            check_output(results[i].text, facts, product_names=names)
            i += 1
    base_s = time.perf_counter() - t
    t = time.perf_counter()
    i = 0
    for facts, reqs in prepared:
        for (channel, language, _v, _r) in reqs:
            svc.check_copy(results[i].text, channel=channel, language=language, facts=facts, limits=limits, banned=terms,
                           catalogue_names=names)
            i += 1
    full_s = time.perf_counter() - t
    n = len(requests)
    print(f"{n} copies: generation (grounded) {gen_s * 1000 / n:.3f} ms/copy, check_output {base_s * 1000 / n:.3f} ms/copy, "
          f"full check_copy {full_s * 1000 / n:.3f} ms/copy")
    print(f"full check / check_output = {full_s / base_s:.2f}x; full check / grounded generation = {full_s / gen_s:.2f}x")
    return metrics


if __name__ == "__main__":
    main()
