"""Benchmark: the training path on the demo shop with default (CPU-friendly) settings: tokenizer, causal and
masked pre-training, sentiment and intent fine-tuning; prints each trained classifier beside the scikit-learn
baseline on the same held-out split (accuracy ratio) and the time each run took relative to the baseline fit.

    .venv/bin/python benchmarks/training.py [--threads 2] [--sentiment-limit 6000] [--steps 300] [--only sentiment,intent]
"""
from __future__ import annotations

import argparse
import io
import shutil
import time

from _common import setup_django

ARTIFACTS = "/tmp/bench_training_artifacts"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=300, help="pre-training steps")
    parser.add_argument("--sentiment-limit", type=int, default=None, help="rows of the labelled corpus (default: the trainer's)")
    parser.add_argument("--max-examples", type=int, default=None, help="sentiment examples in all (default: the trainer's)")
    parser.add_argument("--epochs", type=float, default=None)
    parser.add_argument("--only", default="tokenizer,causal,masked,sentiment,intent")
    parser.add_argument("--keep-db", action="store_true", help="reuse an already seeded database")
    args = parser.parse_args()
    only = set(args.only.split(","))

    if not args.keep_db:
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
    setup_django("training", fresh=not args.keep_db, ecom_ai={"ARTIFACT_DIR": ARTIFACTS})
    from django.core.management import call_command

    from demo_shop.models import Review
    from ecom_ai.training.models import TrainingRun

    if not Review.objects.exists():
        t = time.perf_counter()
        call_command("seed_demo", "--size", "small", "--seed", "1", stdout=io.StringIO())
        print(f"seeded the demo shop in {time.perf_counter() - t:.0f}s: {Review.objects.count()} reviews")

    from ecom_ai.training import runs

    common = {"threads": args.threads}
    rows = []

    def go(label, fn, **params):
        t = time.perf_counter()
        m = fn(out=io.StringIO(), **common, **params)
        run = TrainingRun.objects.get(pk=m["run"])
        rows.append((label, run, time.perf_counter() - t))
        print(f"{label:<28} {time.perf_counter() - t:7.1f}s  " + ", ".join(
            f"{k}={v}" for k, v in run.metrics.items() if not isinstance(v, (dict, list))), flush=True)
        return run

    if "tokenizer" in only:
        go("tokenizer (bpe 8000)", runs.train_tokenizer)
    if "causal" in only:
        go("pretrain causal (gpt2)", runs.pretrain, model="causal", steps=args.steps)
    if "masked" in only:
        go("pretrain masked (bert)", runs.pretrain, model="masked", steps=args.steps)
    if "sentiment" in only:
        extra = {k: v for k, v in (("limit", args.sentiment_limit), ("max_examples", args.max_examples),
                                   ("epochs", args.epochs)) if v is not None}
        go("finetune sentiment", runs.finetune_classifier, task="sentiment", **extra)
    if "intent" in only:
        go("finetune intent", runs.finetune_classifier, task="intent")

    print()
    print(f"{'run':<28} {'trained':>8} {'baseline':>9} {'ratio':>7} {'held-out':>9} {'train s':>8} {'baseline s':>11}")
    for label, run, seconds in rows:
        m = run.metrics
        if "baseline_accuracy" in m:
            print(f"{label:<28} {m['accuracy']:8.4f} {m['baseline_accuracy']:9.4f} {m['accuracy'] / m['baseline_accuracy']:7.3f} "
                  f"{m['n_heldout']:9d} {seconds:8.1f} {m['baseline_train_s']:11.1f}")
        elif "eval_loss" in m:
            print(f"{label:<28} eval loss {m['eval_loss_start']} → {m['eval_loss']} "
                  f"(ratio {m['eval_loss'] / m['eval_loss_start']:.3f}), perplexity {m['perplexity']}, {seconds:.1f}s")


if __name__ == "__main__":
    main()
