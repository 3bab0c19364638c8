"""Per-shop selection: a personal model where tastes exist, popularity (and a plain message) where
they do not; the report travels with the artefact and the training metrics; the evaluate CLI's JSON."""
import io
import json

import pytest
from django.core.management import CommandError, call_command

from ecom_ai.recommendations import services as service
from ecom_ai.recommendations.selection import POPULARITY, select
from ecom_ai.storage import artifacts

from .logs import taste_log, crowd_log, write_csv

ROW_KEYS = {"model", "ndcg@10", "recall@10", "coverage", "fit_s", "served"}


def _served(sel):
    return [r for r in sel.rows if r["served"]]


def test_where_customers_have_tastes_a_personal_model_is_served():
    sel = select(taste_log(), half_life_days=90.0, num_threads=1)
    families = {r["model"] for r in sel.rows}
    assert {"recent_popular", "trending", "popular", "als", "bpr", "ease", "itemknn", "bm25", "cooc", "blend"} <= families
    assert all(ROW_KEYS <= set(r) for r in sel.rows)
    (served,) = _served(sel)
    assert served["model"] not in POPULARITY and served["model"] == sel.served_family
    base = next(r for r in sel.rows if r["model"] == "recent_popular")
    assert served["ndcg@10"] > base["ndcg@10"]
    assert "recent popularity" in sel.message


def test_where_everyone_buys_the_bestsellers_popularity_wins_and_says_so():
    sel = select(crowd_log(), half_life_days=90.0, num_threads=1)
    (served,) = _served(sel)
    assert served["model"] in POPULARITY
    assert sel.message.startswith("Popularity wins")
    # never a model that loses to recent popularity on the slice
    base = next(r for r in sel.rows if r["model"] == "recent_popular")
    assert served["ndcg@10"] >= base["ndcg@10"]


def test_selection_needs_a_slice_to_hold_out():
    log = taste_log(n_users=4)
    log.ts[:] = log.ts[0]
    with pytest.raises(ValueError, match="nothing to evaluate|Not enough"):
        select(log.subset(log.ts < 0), half_life_days=90.0)


def test_train_stores_the_report_with_the_artefact_and_in_its_metrics(tmp_path):
    path = write_csv(tmp_path / "tastes.csv", taste_log())
    out = io.StringIO()
    metrics = service.train(out=out, csv=str(path), num_threads=1)
    rows = metrics["candidates"]
    assert rows and all(ROW_KEYS <= set(r) for r in rows) and sum(r["served"] for r in rows) == 1
    assert metrics["model"] == next(r["model"] for r in rows if r["served"])
    meta = artifacts.read_meta("recommender", metrics["version"])
    assert meta["candidates"] == rows and meta["spec"]["family"] == metrics["model"]
    bundle, version = service.current_model()
    assert version == metrics["version"] and bundle.report == rows and bundle.model.name == metrics["model"]
    text = out.getvalue()
    assert "ndcg@10" in text and "served" in text and metrics["model"] in text
    json.dumps(metrics)  # the training run stores it as JSON


def test_train_on_a_crowd_says_popularity_is_served(tmp_path):
    path = write_csv(tmp_path / "crowd.csv", crowd_log())
    metrics = service.train(out=io.StringIO(), csv=str(path), num_threads=1, families="als,ease,popular,trending")
    assert metrics["model"] in POPULARITY and "Popularity wins" in metrics["message"]
    assert {r["model"] for r in metrics["candidates"]} >= {"recent_popular", "popular", "trending", "als", "ease"}
    with pytest.raises(ValueError, match="Unknown recommendation model"):
        service.train(out=io.StringIO(), csv=str(path), families="als,magic")


def test_evaluate_command_json_names_the_model_it_would_serve(tmp_path):
    path = write_csv(tmp_path / "tastes.csv", taste_log())
    out = io.StringIO()
    call_command("ecom_ai", "evaluate", "recommendations", "--csv", str(path), "--json", stdout=out)
    text = out.getvalue()
    figures = json.loads(text[text.index("\n{") + 1:])
    served = figures["model"]
    assert served not in POPULARITY
    for name in ("recent_popular", "popular", "trending", "als", "bpr", "ease", "itemknn", "bm25", "cooc", "blend",
                 "ref_ease", "ref_als", "ref_recent_popular"):
        assert 0.0 <= figures[f"{name}.ndcg@10"] <= 1.0 and f"{name}.recall@10" in figures
    assert figures["ratio_vs_recent_popular"] > 1.0
    for name in ("blend", "ease", "als", "recent_popular"):
        assert name in text  # every candidate printed in the table


def test_evaluate_one_family_or_an_unknown_one(tmp_path):
    path = write_csv(tmp_path / "tastes.csv", taste_log())
    figures = service.evaluate(out=io.StringIO(), csv=str(path), model="ease")
    assert figures["model"] == "ease" and "ease.ndcg@10" in figures and "ref_als.ndcg@10" in figures
    with pytest.raises(CommandError, match="No recommender model"):
        call_command("ecom_ai", "evaluate", "recommendations", "--csv", str(path), "--model", "nonsense")


def test_a_bundle_from_before_selection_is_not_served(tmp_path, db):
    path = write_csv(tmp_path / "tastes.csv", taste_log())
    metrics = service.train(out=io.StringIO(), csv=str(path), num_threads=1, model="popular")
    bundle, _ = service.current_model()
    del bundle.__dict__["model"]  # what an artefact pickled before this version lacks
    old = artifacts.save("recommender", bundle, {}, activate=True)
    artifacts.clear_cache()
    assert old != metrics["version"] and service.current_model()[1] == "untrained"
