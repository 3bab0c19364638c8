"""The sentiment recipe: its hold-out, its parameter routing and a tiny run end to end through the command."""
from __future__ import annotations

import csv
import gzip
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from ecom_ai.training.models import TrainingRun
from ecom_ai.storage import artifacts
from ecom_ai.training import recipes

pytestmark = pytest.mark.django_db

#: the recipe, shrunk to seconds on one thread
TINY_RECIPE = ["pretrain.hidden=32", "pretrain.layers=2", "pretrain.heads=2", "pretrain.seq=64", "pretrain.epochs=3",
               "continue.seq=64", "continue.epochs=1", "continue.lr=0.003",
               "finetune.seq=64", "finetune.epochs=3", "finetune.lr=0.003", "threads=1"]


def _rows(path):
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write(path, rows, header=("cat", "label", "review")):
    with gzip.open(path, "wt", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_hold_out_is_stratified_by_category_and_label_and_loses_nothing(tmp_path):
    rows = [(cat, i % 2, f"{cat}评论{i}") for cat in ("手机", "书籍", "酒店") for i in range(40 if cat == "酒店" else 20)]
    source = _write(tmp_path / "all.csv.gz", rows + [("手机", 1, "   ")])       # a blank review is skipped
    train, heldout, n_train, n_test = recipes.hold_out(source, tmp_path / "split", 0.25, seed=1)
    tr, te = _rows(train), _rows(heldout)
    assert (n_train, n_test) == (len(tr), len(te)) == (62, 18)        # round(10 × 0.25) = 2 per small group
    assert {r["review"] for r in tr}.isdisjoint(r["review"] for r in te)
    assert sorted(r["review"] for r in tr + te) == sorted(r[2] for r in rows)
    assert Counter((r["cat"], r["label"]) for r in te) == {("手机", "0"): 2, ("手机", "1"): 2, ("书籍", "0"): 2,
                                                          ("书籍", "1"): 2, ("酒店", "0"): 5, ("酒店", "1"): 5}
    again = recipes.hold_out(source, tmp_path / "again", 0.25, seed=1)
    assert _rows(again[1]) == te                                                   # the same for a seed


def test_hold_out_refuses_a_file_it_cannot_read_as_labelled_reviews(tmp_path):
    with pytest.raises(recipes.runs.TrainingError, match="lacks the column.*label"):
        recipes.hold_out(_write(tmp_path / "a.csv.gz", [("x",)], header=("review",)), tmp_path / "s", 0.2)
    with pytest.raises(recipes.runs.TrainingError, match="line 3: label must be 0 or 1, not '5'"):
        recipes.hold_out(_write(tmp_path / "b.csv.gz", [("", 1, "好"), ("", 5, "差")]), tmp_path / "s", 0.2)
    with pytest.raises(recipes.runs.TrainingError, match="only 2 labelled reviews"):
        recipes.hold_out(_write(tmp_path / "c.csv.gz", [("", 1, "好"), ("", 0, "差")]), tmp_path / "s", 0.2)


def test_plan_routes_overrides_to_their_step_and_checks_them_all_first():
    before = {name: dict(values) for name, values in recipes.SENTIMENT.items()}
    steps = recipes.plan(recipes.SENTIMENT, {"pretrain.epochs": 2, "finetune.lr": 5e-4, "threads": 2})
    assert steps["pretrain"]["epochs"] == 2 and steps["finetune"]["lr"] == 5e-4
    assert all(s["threads"] == 2 for s in steps.values())
    assert recipes.SENTIMENT == before                                            # the recipe itself is untouched
    with pytest.raises(recipes.runs.TrainingError, match="name its step, as in pretrain.epochs"):
        recipes.plan(recipes.SENTIMENT, {"epochs": 3})
    with pytest.raises(recipes.runs.TrainingError, match="name its step"):
        recipes.plan(recipes.SENTIMENT, {"warmup.lr": 3})
    with pytest.raises(recipes.runs.TrainingError, match="Unknown parameter.*learning_rate"):
        recipes.plan(recipes.SENTIMENT, {"finetune.learning_rate": 3})           # a typo fails before any training
    assert not TrainingRun.objects.exists()


def test_the_recipe_end_to_end_never_reads_the_held_back_reviews(shop, labelled_csv):
    out = io.StringIO()
    call_command("ecom_ai", "train", "sentiment-recipe", "--csv", str(labelled_csv),
                 *[a for p in TINY_RECIPE for a in ("--param", p)], stdout=out)
    tok, pre, cont, tuned = TrainingRun.objects.order_by("pk")
    assert [r.kind for r in (tok, pre, cont, tuned)] == ["tokenizer", "pretrain", "pretrain", "finetune-classifier"]
    assert all(r.status == "done" for r in (tok, pre, cont, tuned))
    never = tuned.metrics["never_seen"]
    held = {r["review"] for r in _rows(never["csv"])}
    assert never["n"] == len(held) == 12
    # no step read the held-back reviews, nor the shop's 84 reviews and 6 products (shop=false)
    assert tok.data_size == pre.data_size == cont.data_size == tuned.data_size == 48
    assert 0 <= never["accuracy"] <= 1 and 0 <= never["baseline_accuracy"] <= 1
    # each step read the artefact of the step before
    assert pre.metrics["tokenizer"] == f"tokenizer:{tok.artifact_version}"
    assert cont.metrics["continued_from"] == pre.artifact_path
    assert cont.loss_history[0]["eval_loss"] == pre.loss_history[-1]["eval_loss"]     # it starts where pre-training ended
    assert tuned.metrics["encoder"] == f"pretrained:lm-masked/{cont.artifact_version}"
    # the better one on the held-back reviews serves
    serving = tuned.metrics["serving"]
    assert serving == ("transformer" if never["accuracy"] >= never["baseline_accuracy"] else "baseline")
    active = artifacts.active_version("sentiment")
    assert (active == tuned.artifact_version) == (serving == "transformer")
    assert f"on the 12 held-back reviews: transformer {never['accuracy']:.4f}" in out.getvalue()


def test_the_recipe_without_activation_leaves_every_active_model_alone(shop, labelled_csv):
    call_command("ecom_ai", "train", "sentiment-recipe", "--csv", str(labelled_csv), "--no-activate",
                 *[a for p in TINY_RECIPE + ["continue.epochs=0"] for a in ("--param", p)], stdout=io.StringIO())
    assert all(artifacts.active_version(name) is None for name in ("tokenizer", "lm-masked", "sentiment"))
    tok, pre, tuned = TrainingRun.objects.order_by("pk")                          # continue.epochs=0: no third step
    assert pre.metrics["tokenizer"] == f"tokenizer:{tok.artifact_version}"      # chained, though none is active
    assert tuned.metrics["encoder"] == f"pretrained:lm-masked/{pre.artifact_version}"
    assert tuned.metrics["serving"] == "unchanged" and "never_seen" in tuned.metrics


def test_recipe_errors_are_clear_and_start_nothing(shop, labelled_csv):
    for params, message in ((["holdout=1.5"], "holdout is a share"), (["epochs=2"], "name its step"),
                            (["pretrain.hidden=30", "pretrain.heads=4"], "multiple of heads"),
                            (["continue.hidden=64"], "its own tokenizer and size: drop hidden")):
        with pytest.raises(CommandError, match=message):
            call_command("ecom_ai", "train", "sentiment-recipe", "--csv", str(labelled_csv),
                         *[a for p in params for a in ("--param", p)], stdout=io.StringIO())
    with pytest.raises(CommandError, match="No such"):
        call_command("ecom_ai", "train", "sentiment-recipe", "--csv", "/nonexistent.csv", stdout=io.StringIO())
    assert not TrainingRun.objects.exists()
