"""Named recipes: several tracked runs in a row, with the parameters behind a published result kept in one place.

``python manage.py ecom_ai train sentiment-recipe --csv REVIEWS.csv.gz`` (``make train-sentiment``) runs
:data:`SENTIMENT` on a labelled review corpus (``label,review``, optional ``cat``):

0. hold back ``holdout`` (20%) of the corpus, stratified by category and label, before anything is trained;
1. ``tokenizer``            a character tokenizer on the other 80%;
2. ``pretrain``             a BERT-style masked LM from scratch on the same 80% (14 epochs);
   ``continue``             then 10 more epochs from its weights on a new, gentler schedule (``init``);
   ``continue.epochs=0`` leaves it out;
3. ``finetune``             the sentiment classifier on the same 80% (mean pooling, with an n-gram model's
                            out-of-fold probabilities as soft labels), beside the scikit-learn baseline;
4. score both stored models on the held-back part: reviews no step has read, not even unlabelled. The better
   one there serves (``activate``), and both figures are stored on the fine-tuning run.

Each step is an ordinary training run (shown in the admin, with its loss curve). Parameters override a step
as ``STEP.KEY`` (``pretrain.epochs=12``, ``finetune.lr=0.0005``); ``seed``, ``threads`` and ``device`` go to
every step; ``holdout`` and ``limit`` (rows of the corpus, for a quick look) shape step 0;
``finetune.base=/path`` fine-tunes an encoder pre-trained before and skips steps 1–2.
A step's input is always the artefact the step before it made, whether or not that one was made active.
"""
from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from django.utils import timezone

from ecom_ai.training.models import TrainingRun
from ecom_ai.storage import artifacts
from ecom_ai.training import corpus, runs
from ecom_ai.training.trainers import options_for
from ecom_ai.training.trainers.options import OptionError

Kind = TrainingRun.Kind

#: the sentiment recipe measured in benchmarks/sentiment_recipe.py and the README (2 CPU cores: about 95 min:
#: 48 min of pre-training, 33 min of continued pre-training, 14 min of fine-tuning)
SENTIMENT = {
    "tokenizer": {"model": "char", "csv_limit": 0, "shop": False},
    "pretrain": {"model": "masked", "csv_limit": 0, "shop": False, "hidden": 192, "layers": 3, "heads": 4, "seq": 128,
                 "epochs": 14, "batch_size": 64, "lr": 1e-3, "eval_every": 500, "checkpoint_every": 1000,
                 "test_size": 0.02},
    "continue": {"model": "masked", "csv_limit": 0, "shop": False, "seq": 128, "epochs": 10, "batch_size": 64,
                 "lr": 5e-4, "eval_every": 500, "checkpoint_every": 1000, "test_size": 0.02},
    "finetune": {"task": "sentiment", "max_examples": 0, "shop": False, "test_size": 0.05, "epochs": 4, "lr": 3e-4,
                 "batch_size": 64, "eval_every": 200, "seq": 128, "pool": "mean", "distill": 0.7},
}
STEP_KINDS = {"tokenizer": Kind.TOKENIZER, "pretrain": Kind.PRETRAIN, "continue": Kind.PRETRAIN,
              "finetune": Kind.FINETUNE_CLASSIFIER}
TRAINERS = {"tokenizer": runs.train_tokenizer, "pretrain": runs.pretrain, "continue": runs.pretrain,
            "finetune": runs.finetune_classifier}
#: the parameter through which a step reads the artefact of the step before it
READS = {"pretrain": "tokenizer", "continue": "init", "finetune": "base"}
SHARED = ("seed", "threads", "device")


def plan(recipe: dict, params: dict) -> dict[str, dict]:
    """Each step's parameters: the recipe's, with ``STEP.KEY`` and shared overrides; checked before any run."""
    steps = {name: dict(values) for name, values in recipe.items()}
    for key, value in params.items():
        name, dot, sub = key.partition(".")
        if dot and name in steps and sub:
            steps[name][sub] = value
        elif key in SHARED:
            for name, values in steps.items():     # to every step whose trainer reads it
                if key in {f.name for f in options_for(STEP_KINDS[name]).fields()}:
                    values[key] = value
        else:
            raise runs.TrainingError(f"Recipe parameter {key!r}: name its step, as in pretrain.{sub or key}=... "
                                     f"(steps: {', '.join(steps)}; for every step: {', '.join(SHARED)})")
    for name, values in steps.items():             # as each will run: reading the step before's artefact
        runs.check_request(STEP_KINDS[name], {**values, **({READS[name]: "<the step before>"} if name in READS else {})})
    return steps


def hold_out(source, folder: Path, fraction: float, *, seed: int = 0, limit: int | None = None) -> tuple[Path, Path, int, int]:
    """``fraction`` of a labelled review CSV held back, stratified by category (when there is a ``cat``
    column) and label: ``train.csv.gz`` and ``heldout.csv.gz`` (``cat,label,review``) written in ``folder``."""
    from ecom_ai.feedback import services as feedback

    try:
        rows = [{"cat": cat, "label": label, "review": review}
                for cat, label, review in feedback.labelled_rows(source)]
    except ValueError as exc:                    # the file's own faults, as the recipe's error
        raise runs.TrainingError(str(exc)) from exc
    if limit and len(rows) > limit:
        rows = [rows[i] for i in sorted(corpus.split(len(rows), 1 - limit / len(rows), seed)[0])]
    if len(rows) < 20:
        raise runs.TrainingError(f"{source}: only {len(rows)} labelled reviews, too few for a recipe")
    train, test = corpus.split(len(rows), fraction, seed, labels=[f"{r['cat']}\t{r['label']}" for r in rows],
                               ordered=False)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, part in (("train", train), ("heldout", test)):
        path = folder / f"{name}.csv.gz"
        with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["cat", "label", "review"])
            writer.writeheader()
            writer.writerows(rows[i] for i in part)
        paths.append(path)
    return paths[0], paths[1], len(train), len(test)


def _number(value, name: str, cast):
    try:
        return cast(value)
    except (TypeError, ValueError) as exc:
        raise OptionError(f"Parameter {name}={value!r} is not valid: {exc}", name) from exc


def sentiment(*, out=None, csv=None, activate: bool = True, **params) -> dict:
    """``ecom_ai train sentiment-recipe``: :data:`SENTIMENT` on ``csv`` (or the shared corpus), see the module."""
    from ecom_ai.feedback import services as feedback

    out = out if out is not None else io.StringIO()
    holdout, limit = _number(params.pop("holdout", 0.2), "holdout", float), params.pop("limit", None)
    limit = _number(limit, "limit", int) if limit is not None else None
    if not 0 <= holdout < 1:
        raise OptionError(f"holdout is a share of the corpus below 1, not {holdout}", "holdout")
    steps = plan(SENTIMENT, params)
    source = Path(csv) if csv else feedback.default_csv()
    if source is None:
        raise runs.TrainingError("The sentiment recipe needs a labelled review CSV: give --csv FILE (label,review).")
    folder = artifacts.root() / "_recipes" / f"sentiment-{timezone.now():%Y%m%d-%H%M%S-%f}"
    if holdout:
        train_csv, heldout_csv, n_train, n_test = hold_out(source, folder, holdout, seed=int(steps["finetune"].get("seed", 0)),
                                                           limit=limit)
        out.write(f"sentiment recipe: {n_train} reviews to train on, {n_test} held back that no step reads "
                  f"({heldout_csv})\n")
    elif limit:
        raise runs.TrainingError("limit needs a hold-out (holdout > 0)")
    else:
        train_csv, heldout_csv, n_train, n_test = source, None, None, 0
    ran = {}
    order = [name for name in steps if name != "continue" or float(steps[name].get("epochs") or 0) > 0]
    if str(steps["finetune"].get("base", "active")) != "active":
        order = ["finetune"]                     # an encoder pre-trained before
    for name, nxt in zip(order, [*order[1:], None]):
        out.write(f"== {name}\n")
        ran[name] = TRAINERS[name](out=out, csv=str(train_csv), activate=activate, **steps[name])
        if nxt:                                  # the next step reads this step's artefact, active or not
            steps[nxt][READS[nxt]] = TrainingRun.objects.get(pk=ran[name]["run"]).artifact_path
    tuned = ran["finetune"]
    summary = {"runs": ",".join(str(r["run"]) for r in ran.values()), "accuracy": tuned.get("accuracy"),
               "baseline_accuracy": tuned.get("baseline_accuracy"), "serving": tuned.get("serving")}
    if heldout_csv is None:
        return summary

    run = TrainingRun.objects.get(pk=tuned["run"])

    def score(version):
        return feedback.evaluate_sentiment(out=io.StringIO(), csv=str(heldout_csv), model=version)["accuracy"]

    never_seen = {"csv": str(heldout_csv), "n": n_test, "accuracy": score(run.artifact_version)}
    if tuned.get("baseline_version"):
        never_seen["baseline_accuracy"] = score(tuned["baseline_version"])
    run.metrics = {**run.metrics, "never_seen": never_seen}
    if activate and "baseline_accuracy" in never_seen:
        wins = never_seen["accuracy"] >= never_seen["baseline_accuracy"]
        artifacts.set_active("sentiment", run.artifact_version if wins else tuned["baseline_version"])
        run.metrics["serving"] = "transformer" if wins else "baseline"
    run.save(update_fields=["metrics"])
    out.write(f"on the {n_test} held-back reviews: transformer {never_seen['accuracy']:.4f}"
              + (f", scikit-learn baseline {never_seen['baseline_accuracy']:.4f}" if "baseline_accuracy" in never_seen else "")
              + (f"; serving: {run.metrics['serving']}\n" if activate else "\n"))
    return {**summary, "heldout_csv": str(heldout_csv), "heldout_n": n_test, "heldout_accuracy": never_seen["accuracy"],
            "heldout_baseline_accuracy": never_seen.get("baseline_accuracy"), "serving": run.metrics.get("serving")}


__all__ = ["SENTIMENT", "plan", "hold_out", "sentiment"]
