"""Recommender at the large seed's size: fit ALS and recommend for every customer, against a 60 s budget.

A synthetic interaction matrix with latent tastes (100,000 customers, 20,000 products, 2,000,000
interactions; each customer mostly buys from two of 40 product clusters, with long-tailed item
popularity inside a cluster) stands in for ``seed_demo --size large``. Printed side by side in
one run: fit and recommend-for-everyone time against the budget, peak RSS, and hold-out NDCG@10 of
ALS against popularity (each sampled customer's last interaction held out).

    .venv/bin/python benchmarks/recommendations.py [--users N] [--items N] [--interactions N] [--threads N] [--factors N]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

BUDGET_S = 60.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def synthesise(n_users: int, n_items: int, n_inter: int, seed: int = 0, clusters: int = 40):
    rng = np.random.default_rng(seed)
    item_cluster = rng.integers(0, clusters, n_items)
    order = np.argsort(item_cluster, kind="stable")
    starts = np.searchsorted(item_cluster[order], np.arange(clusters + 1))
    # long tail inside each cluster
    pop = 1.0 / np.arange(1, n_items + 1) ** 0.8
    rng.shuffle(pop)
    cum = []
    for c in range(clusters):
        members = order[starts[c]:starts[c + 1]]
        p = np.cumsum(pop[members])
        cum.append((members, p / p[-1]))
    activity = rng.lognormal(0, 0.9, n_users)
    per_user = np.maximum(1, np.round(activity / activity.sum() * n_inter)).astype(np.int64)
    users = np.repeat(np.arange(n_users), per_user)
    n = len(users)
    taste = rng.integers(0, clusters, (n_users, 2))
    pick = np.where(rng.random(n) < 0.85, taste[users, rng.integers(0, 2, n)], rng.integers(0, clusters, n))
    items = np.empty(n, dtype=np.int64)
    u01 = rng.random(n)
    for c in range(clusters):
        m = pick == c
        members, cp = cum[c]
        items[m] = members[np.minimum(np.searchsorted(cp, u01[m]), len(members) - 1)]
    ts = rng.random(n)
    weight = np.where(rng.random(n) < 0.15, 4.0, np.where(rng.random(n) < 0.2, 2.0, 1.0)).astype(np.float32)
    return users, items, ts, weight


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=20_000)
    ap.add_argument("--interactions", type=int, default=2_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--factors", type=int, default=64)
    ap.add_argument("--iterations", type=int, default=15)
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--eval-users", type=int, default=20_000)
    args = ap.parse_args()

    from ecom_ai.recommendations.evaluation import metrics_at_k
    from ecom_ai.recommendations.algorithms import ALS, DEFAULT_ALS, Popularity

    t0 = time.perf_counter()
    users, items, ts, weight = synthesise(args.users, args.items, args.interactions)
    gen_s = time.perf_counter() - t0
    print(f"synthetic data: {args.users:,} customers × {args.items:,} products, {len(users):,} interactions "
          f"in {gen_s:.1f}s; peak RSS {peak_rss_mb():.0f} MB")

    # hold out each sampled customer's last interaction (a product they had not touched before)
    rng = np.random.default_rng(1)
    last = np.full(args.users, -1, dtype=np.int64)
    order = np.lexsort((ts, users))
    last[users[order]] = order  # the last write per user wins: their newest row
    sample = rng.choice(np.flatnonzero(np.bincount(users, minlength=args.users) >= 3), size=args.eval_users, replace=False)
    held = last[sample]
    keep = np.ones(len(users), dtype=bool)
    keep[held] = False
    ui = sp.csr_matrix((weight[keep], (users[keep], items[keep])), shape=(args.users, args.items), dtype=np.float32)
    ui.sum_duplicates()
    relevant_item = items[held]
    ok = np.asarray(ui[sample, :][np.arange(len(sample)), relevant_item]).ravel() == 0
    sample, relevant = sample[ok], [{int(i)} for i in relevant_item[ok]]
    print(f"matrix: {ui.nnz:,} non-zeros; {len(sample):,} customers with a held-out new product; "
          f"peak RSS {peak_rss_mb():.0f} MB")

    params = {**DEFAULT_ALS, "factors": args.factors, "iterations": args.iterations}
    t = time.perf_counter()
    als = ALS(**params, num_threads=args.threads).fit(ui)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    everyone = np.arange(args.users)
    recs = np.empty((args.users, 10), dtype=np.int32)
    for start in range(0, args.users, args.batch):
        rows = everyone[start:start + args.batch]
        recs[start:start + len(rows)] = als.recommend(rows, ui, 10, filter_liked=True, batch_size=args.batch)
    rec_s = time.perf_counter() - t
    total = fit_s + rec_s
    rss = peak_rss_mb()

    t = time.perf_counter()
    pop = Popularity().fit(ui)
    pop_recs = pop.recommend(sample, ui, 10, filter_liked=True)
    pop_s = time.perf_counter() - t
    m_als = metrics_at_k(recs[sample].astype(np.int64), relevant, args.items)
    m_pop = metrics_at_k(pop_recs, relevant, args.items)

    print()
    print(f"ALS {params} on {args.threads} thread(s), BLAS held to 1 thread")
    print(f"{'step':<34}{'seconds':>10}{'of budget':>12}")
    print(f"{'fit':<34}{fit_s:>10.1f}{fit_s / BUDGET_S:>11.0%}")
    print(f"{'recommend top-10 for everyone':<34}{rec_s:>10.1f}{rec_s / BUDGET_S:>11.0%}")
    print(f"{'fit + recommend':<34}{total:>10.1f}{total / BUDGET_S:>11.0%}   "
          f"({'within' if total <= BUDGET_S else 'OVER'} the {BUDGET_S:.0f}s budget; {args.users / rec_s:,.0f} customers/s)")
    print(f"{'popularity fit + recommend (sample)':<34}{pop_s:>10.1f}")
    print(f"peak RSS: {rss:.0f} MB (matrix {(ui.data.nbytes + ui.indices.nbytes + ui.indptr.nbytes) / 2**20:.0f} MB, "
          f"factors {(als.user_factors.nbytes + als.item_factors.nbytes) / 2**20:.0f} MB)")
    print()
    print(f"hold-out (last interaction of {len(sample):,} customers)   {'ALS':>8} {'popular':>9} {'ratio':>7}")
    for key in ("precision@10", "recall@10", "ndcg@10", "coverage"):
        ratio = m_als[key] / m_pop[key] if m_pop[key] else float("inf")
        print(f"{key:<48}{m_als[key]:>8.4f} {m_pop[key]:>9.4f} {ratio:>6.2f}x")


if __name__ == "__main__":
    main()
