"""Recommender training with per-shop selection at the large seed's size, against 5 minutes and 4 GB.

A synthetic interaction log with latent tastes (100,000 customers, 20,000 products, 2,000,000
interactions over 180 days; each customer mostly buys from two of 40 product clusters, with
long-tailed item popularity inside a cluster) stands in for ``seed_demo --size large``. It runs what
``ecom_ai train recommender`` runs: the selection over every candidate (each family's settings and
the blend on validation half A, the comparison on half B), then the winner refitted on everything.
Printed: each candidate's fit and recommend time, the selection's and the whole training's total,
as ratios against a baseline measured side by side in the same run (the single ALS fit the trainer
did before selection existed) and in absolute seconds; peak RSS. Note the machine's load (uptime).

    .venv/bin/python benchmarks/recommendations.py [--users N] [--items N] [--interactions N] [--threads N]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

BUDGET_S = 300.0
BUDGET_MB = 4096.0


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
    ap.add_argument("--max-users", type=int, default=4000, help="validation customers (the trainer's default)")
    args = ap.parse_args()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(args.threads))
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

    from ecom_ai.recommendations.algorithms import ALS, fit_bundle
    from ecom_ai.recommendations.data import InteractionLog
    from ecom_ai.recommendations.selection import fit_spec, select, spec_label

    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (1/5/15 min) "
          f"on {os.cpu_count()} CPUs; {args.threads} threads used")
    t0 = time.perf_counter()
    users, items, ts, weight = synthesise(args.users, args.items, args.interactions)
    ts = 1_700_000_000.0 + ts * 180 * 86400.0
    log = InteractionLog(users.astype(np.int64), items.astype(np.int64), ts, weight, np.ones(len(users), dtype=bool))
    print(f"synthetic data: {args.users:,} customers × {args.items:,} products, {len(log):,} interactions "
          f"in {time.perf_counter() - t0:.1f}s; peak RSS {peak_rss_mb():.0f} MB")

    # the baseline, side by side: what training was before selection (one ALS on everything)
    t = time.perf_counter()
    base = fit_bundle(log, half_life_days=90.0, fit_model=lambda d: ALS(num_threads=args.threads).fit(d))
    base_s = time.perf_counter() - t
    del base
    print(f"baseline (one ALS fit on everything, the trainer before selection): {base_s:.1f}s")

    t = time.perf_counter()
    sel = select(log, half_life_days=90.0, max_users=args.max_users, num_threads=args.threads)
    select_s = time.perf_counter() - t
    t = time.perf_counter()
    bundle = fit_bundle(log, half_life_days=90.0, fit_model=lambda d: fit_spec(sel.served, d, num_threads=args.threads))
    refit_s = time.perf_counter() - t
    total = select_s + refit_s
    rss = peak_rss_mb()

    print()
    print(f"{'candidate':<16}{'fit s':>8}{'recommend s':>13}{'fit/base':>10}{'ndcg@10':>10}  served  settings")
    for r in sel.rows:
        print(f"{r['model']:<16}{r['fit_s']:>8.1f}{r['recommend_s']:>13.2f}{r['fit_s'] / base_s:>9.2f}x{r['ndcg@10']:>10.4f}"
              f"  {'  *   ' if r['served'] else '      '}  {r['settings']}")
    print(f"(recommend s: top-10 for the {sel.users_validated:,} customers of validation half B)")
    print()
    print(f"{'selection over every candidate':<40}{select_s:>8.1f}s {select_s / base_s:>7.2f}x baseline")
    print(f"{'refit the winner on everything':<40}{refit_s:>8.1f}s {refit_s / base_s:>7.2f}x baseline")
    print(f"{'training total':<40}{total:>8.1f}s {total / base_s:>7.2f}x baseline   "
          f"({'within' if total <= BUDGET_S else 'OVER'} the {BUDGET_S:.0f}s budget)")
    print(f"peak RSS {rss:.0f} MB ({'within' if rss <= BUDGET_MB else 'OVER'} the {BUDGET_MB:.0f} MB budget); "
          f"served {spec_label(sel.served)}; {sel.message}")
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    del bundle


if __name__ == "__main__":
    main()
