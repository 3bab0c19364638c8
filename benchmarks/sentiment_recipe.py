"""Benchmark: does the shop's own transformer beat the scikit-learn models on reviews it has never seen?

Holds back 20% of the labelled corpus (stratified by category and label, as the corpus's kept-back part
was made), then runs the training recipe on the other 80% through the code the shell and the admin use:

    1. ecom_ai train tokenizer            --param model=char                  (the shop's characters)
    2. ecom_ai train pretrain             --param model=masked --param epochs=N  (BERT, masked LM, from scratch)
    3. ecom_ai train finetune-classifier  --param task=sentiment --param max_examples=0 --param pool=mean
                                          --param distill=0.7  (soft labels: an n-gram model's out-of-fold
                                          probabilities on the same 80%, beside the true labels)

and scores on the held-back 20% (``evaluate_sentiment``, what ``ecom_ai evaluate sentiment --csv --model``
runs): the fine-tuned transformer, the scikit-learn baseline that step 3 fitted on the same 80%, and the
corpus README's reference (character 1–3-gram TF-IDF + logistic regression, "about 93%").

    .venv/bin/python benchmarks/sentiment_recipe.py [--threads 2] [--hidden 192 --layers 3] [--pretrain-epochs 6]
        [--epochs 4] [--distill 0.7] [--pool mean|cls] [--limit N (rows of the corpus, for a quick look)]
        [--base FOLDER (an encoder this benchmark pre-trained before: fine-tune only)]
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import random
import shutil
import time
from collections import defaultdict
from pathlib import Path

from _common import ROOT, setup_django

WORK = Path("/tmp/bench_sentiment_recipe")


def split_corpus(source: Path, limit: int | None, seed: int = 0) -> tuple[Path, Path, int, int]:
    """80% / 20% of ``source`` (``cat,label,review``), stratified by category and label, written as gzip CSVs."""
    with gzip.open(source, "rt", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if (r.get("review") or "").strip()]
    rng = random.Random(seed)
    if limit and len(rows) > limit:
        rows = rng.sample(rows, limit)
    groups = defaultdict(list)
    for r in rows:
        groups[(r.get("cat", ""), r["label"])].append(r)
    train, test = [], []
    for key in sorted(groups):
        g = groups[key]
        rng.shuffle(g)
        k = round(len(g) * 0.2)
        test += g[:k]
        train += g[k:]
    paths = []
    for name, part in (("train", train), ("heldout", test)):
        path = WORK / f"{name}.csv.gz"
        with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["cat", "label", "review"])
            w.writeheader()
            w.writerows({"cat": r.get("cat", ""), "label": r["label"], "review": r["review"]} for r in part)
        paths.append(path)
    return paths[0], paths[1], len(train), len(test)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", default=str(ROOT.parent / "shared" / "data" / "online_shopping_reviews.dev.csv.gz"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=192)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--pretrain-epochs", type=float, default=6)
    parser.add_argument("--epochs", type=float, default=4, help="fine-tuning epochs")
    parser.add_argument("--lr", type=float, default=3e-4, help="fine-tuning learning rate")
    parser.add_argument("--distill", type=float, default=0.7, help="weight of the n-gram model's soft labels (0: none)")
    parser.add_argument("--pool", default="mean", choices=["mean", "cls"])
    parser.add_argument("--limit", type=int, default=None, help="use only this many rows of the corpus")
    parser.add_argument("--base", default=None, help="an encoder pre-trained on this benchmark's 80%% before: skip "
                                                     "steps 1-2 and fine-tune it (the split is the same for a seed)")
    args = parser.parse_args()

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    setup_django("sentiment_recipe", ecom_ai={"ARTIFACT_DIR": str(WORK / "artifacts")})
    from ecom_ai.models import TrainingRun
    from ecom_ai.services import feedback
    from ecom_ai.training import runs

    train_csv, heldout_csv, n_train, n_test = split_corpus(Path(args.csv), args.limit)
    print(f"corpus {args.csv}: {n_train} rows to train on, {n_test} held back (never read by training)", flush=True)
    size = {"hidden": args.hidden, "layers": args.layers, "heads": args.heads, "seq": 128}
    timings = {}

    def step(label, fn, **params):
        started = time.perf_counter()
        metrics = fn(out=io.StringIO(), csv=str(train_csv), threads=args.threads, **params)
        timings[label] = time.perf_counter() - started
        shown = {k: v for k, v in metrics.items() if not isinstance(v, (dict, list))}
        print(f"{label:<12} {timings[label]:7.0f}s  {shown}", flush=True)
        return metrics

    if not args.base:
        step("tokenizer", runs.train_tokenizer, model="char", csv_limit=0)
        step("pretrain", runs.pretrain, model="masked", csv_limit=0, epochs=args.pretrain_epochs, batch_size=64,
             lr=1e-3, eval_every=500, checkpoint_every=1000, test_size=0.02, **size)
    tuned = step("finetune", runs.finetune_classifier, task="sentiment", max_examples=0, shop=False, test_size=0.05,
                 epochs=args.epochs, lr=args.lr, batch_size=64, eval_every=200, base=args.base or "active", seq=128,
                 pool=args.pool, distill=args.distill)

    def score(version):
        return feedback.evaluate_sentiment(out=io.StringIO(), csv=str(heldout_csv), model=version)["accuracy"]

    started = time.perf_counter()
    run = TrainingRun.objects.get(pk=tuned["run"])
    results = {"transformer (the recipe)": score(run.artifact_version),
               "scikit-learn baseline, same 80%": score(tuned["baseline_version"])}
    predict_s = time.perf_counter() - started

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts, labels = feedback.read_labelled_csv(train_csv)
    test_texts, test_labels = feedback.read_labelled_csv(heldout_csv)
    reference = make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2),
                              LogisticRegression(C=10, max_iter=2000)).fit(texts, labels)
    results["reference: char 1-3 TF-IDF + LR"] = round(
        sum(int(p == y) for p, y in zip(reference.predict(test_texts), test_labels)) / len(test_labels), 4)

    ref = results["reference: char 1-3 TF-IDF + LR"]
    print(f"\naccuracy on the {n_test} held-back reviews (scoring both stored models took {predict_s:.0f}s)")
    for label, acc in results.items():
        print(f"  {label:<34} {acc:.4f}   ratio to the reference {acc / ref:.4f}")
    print(f"training time on {args.threads} threads: " + ", ".join(f"{k} {v / 60:.1f} min" for k, v in timings.items()))


if __name__ == "__main__":
    main()
