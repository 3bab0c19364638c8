"""Benchmark: does the shop's own transformer beat the scikit-learn models on reviews it has never seen?

Runs the sentiment recipe (``ecom_ai.training.recipes.SENTIMENT``, what ``make train-sentiment`` and
``ecom_ai train sentiment-recipe`` run) on the labelled corpus:

    0. hold back 20% of the corpus, stratified by category and label, before anything is trained;
    1. tokenizer  --param model=char                                  (the shop's characters, on the 80%)
    2. pretrain   --param model=masked --param epochs=14                (BERT, masked LM, from scratch, the 80%)
       continue   --param init=<step 2's model> --param epochs=10 --param lr=0.0005  (more of the same, new schedule)
    3. finetune   --param task=sentiment --param pool=mean --param distill=0.7  (soft labels: an n-gram
                  model's out-of-fold probabilities on the same 80%, beside the true labels)

The recipe scores the fine-tuned transformer and the scikit-learn baseline that step 3 fitted on the same 80%
on the held-back 20% (``evaluate_sentiment``, what ``ecom_ai evaluate sentiment --csv --model`` runs); this
script adds the corpus README's reference (character 1–3-gram TF-IDF + logistic regression, "about 93%").

    .venv/bin/python benchmarks/sentiment_recipe.py [--threads 2] [--hidden H --layers L --heads A]
        [--pretrain-epochs N] [--continue-epochs N (0: no step 2b)] [--epochs N] [--lr X] [--distill W] [--pool mean|cls]
        [--limit N (rows of the corpus, for a quick look)] [--base FOLDER (an encoder pre-trained before:
        fine-tune only)]
Options left out keep the recipe's values. About 95 minutes on 2 CPU cores.
"""
# long-running: `make benchmarks` runs it only with LONG=1
from __future__ import annotations

import argparse
import io
import shutil
import time
from pathlib import Path

from _common import ROOT, setup_django

WORK = Path("/tmp/bench_sentiment_recipe")

#: command-line option → recipe parameter
OPTIONS = {"hidden": "pretrain.hidden", "layers": "pretrain.layers", "heads": "pretrain.heads",
           "pretrain_epochs": "pretrain.epochs", "continue_epochs": "continue.epochs", "epochs": "finetune.epochs", "lr": "finetune.lr",
           "distill": "finetune.distill", "pool": "finetune.pool", "base": "finetune.base", "limit": "limit"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", default=str(ROOT.parent / "shared" / "data" / "online_shopping_reviews.dev.csv.gz"))
    parser.add_argument("--threads", type=int, default=2)
    for name in ("hidden", "layers", "heads", "limit"):
        parser.add_argument(f"--{name}", type=int)
    for name in ("pretrain-epochs", "continue-epochs", "epochs", "lr", "distill"):
        parser.add_argument(f"--{name}", type=float)
    parser.add_argument("--pool", choices=["mean", "cls"])
    parser.add_argument("--base", help="an encoder pre-trained on this benchmark's 80%% before: fine-tune only")
    args = parser.parse_args()

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    setup_django("sentiment_recipe", ecom_ai={"ARTIFACT_DIR": str(WORK / "artifacts")})
    from ecom_ai.training.models import TrainingRun
    from ecom_ai.feedback import services as feedback
    from ecom_ai.training import recipes

    params = {OPTIONS[k]: v for k, v in vars(args).items() if k in OPTIONS and v is not None}
    print(f"corpus {args.csv}, recipe overrides {params or 'none'}", flush=True)
    started = time.perf_counter()
    summary = recipes.sentiment(out=io.StringIO(), csv=args.csv, threads=args.threads, **params)
    total_s = time.perf_counter() - started
    heldout_csv = Path(summary["heldout_csv"])
    train_csv = heldout_csv.with_name("train.csv.gz")
    for run in TrainingRun.objects.filter(pk__in=summary["runs"].split(",")).order_by("pk"):
        shown = {k: v for k, v in run.metrics.items() if not isinstance(v, (dict, list))}
        print(f"{run.kind:<20} {run.duration_s:7.0f}s  {shown}", flush=True)
    results = {"transformer (the recipe)": summary["heldout_accuracy"],
               "scikit-learn baseline, same 80%": summary["heldout_baseline_accuracy"]}

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
    print(f"\naccuracy on the {summary['heldout_n']} held-back reviews ({len(texts)} trained on); serving: {summary['serving']}")
    for label, acc in results.items():
        print(f"  {label:<34} {acc:.4f}   ratio to the reference {acc / ref:.4f}")
    print(f"the recipe took {total_s / 60:.1f} min on {args.threads} threads")


if __name__ == "__main__":
    main()
