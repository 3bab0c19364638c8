"""The sentiment classifier: training on a small sample, evaluation, the command's errors, use in summaries."""
import gzip
import io

import pytest
from django.core.management import CommandError, call_command

from ecom_ai.feedback.models import FeedbackSummary
from ecom_ai.storage import artifacts
from ecom_ai.feedback import services as service


@pytest.fixture
def trained(sentiment_dir, feedback_settings):
    feedback_settings.ECOM_AI = {**feedback_settings.ECOM_AI, "ARTIFACT_DIR": str(sentiment_dir["dir"])}
    artifacts.clear_cache()
    yield sentiment_dir
    artifacts.clear_cache()


def _write(tmp_path, name, text, gz=False):
    path = tmp_path / name
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_small_sample_model_learns(trained):
    m = trained["metrics"]
    assert m["n_heldout"] == 200 and m["accuracy"] >= 0.8  # 1,800 training rows only
    meta = artifacts.read_meta("sentiment", m["version"])
    assert meta["kind"].startswith("sklearn-tfidf") and meta["n_train"] == 1800


def test_evaluate_command_on_gzip_csv(trained, tmp_path):
    csv = _write(tmp_path, "eval.csv.gz", "cat,label,review\n手机,1,屏幕很清晰，非常满意，推荐购买\n手机,0,太差了，用了两天就坏了，退货\n"
                 "水果,1,新鲜好吃，还会再买\n水果,0,烂了一半，很失望\n", gz=True)
    out = io.StringIO()
    call_command("ecom_ai", "evaluate", "sentiment", "--csv", str(csv), stdout=out, skip_checks=True)
    text = out.getvalue()
    assert "accuracy" in text and "n=4" in text and "precision" in text and "recall" in text
    metrics = service.evaluate_sentiment(out=io.StringIO(), csv=str(csv))
    assert metrics["accuracy"] >= 0.75 and metrics["n"] == 4
    # a named stored version evaluates the same way
    named = service.evaluate_sentiment(out=io.StringIO(), csv=str(csv), model=trained["metrics"]["version"])
    assert named["accuracy"] == metrics["accuracy"]


@pytest.mark.parametrize("content, message", [
    ("cat,text\n手机,好\n", "lacks the column(s) label, review"),
    ("label,review\n2,还行\n", "label must be 0 or 1"),
])
def test_evaluate_bad_files(trained, tmp_path, content, message):
    path = _write(tmp_path, "bad.csv", content)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("ecom_ai", "evaluate", "sentiment", "--csv", str(path), stdout=io.StringIO(), skip_checks=True)
    with pytest.raises(CommandError, match="No such CSV file"):
        call_command("ecom_ai", "evaluate", "sentiment", "--csv", str(tmp_path / "nope.csv"), stdout=io.StringIO(), skip_checks=True)
    with pytest.raises(CommandError, match="no version"):
        call_command("ecom_ai", "evaluate", "sentiment", "--csv", str(path), "--model", "v-missing", stdout=io.StringIO(), skip_checks=True)


def test_evaluate_without_a_model_trains_the_baseline_first(feedback_settings, tmp_path, monkeypatch, db):
    rows = "".join(f"{i % 2},{'好用，满意' if i % 2 else '很差，失望'}{i}\n" for i in range(40))
    monkeypatch.setenv("ECOM_AI_SENTIMENT_CSV", str(_write(tmp_path, "corpus.csv", "label,review\n" + rows)))
    path = _write(tmp_path, "ok.csv", "label,review\n1,好用，满意\n0,很差，失望\n")
    assert artifacts.active_version("sentiment") is None
    out = io.StringIO()
    call_command("ecom_ai", "evaluate", "sentiment", "--csv", str(path), stdout=out, skip_checks=True)
    assert "training the baseline first" in out.getvalue() and "accuracy" in out.getvalue()
    assert artifacts.active_version("sentiment") is not None


def test_train_command_on_the_shops_ratings_and_a_csv(shop, tmp_path):
    rows = "".join(f"{i % 2},{'好用，满意' if i % 2 else '很差，失望'}{i}\n" for i in range(40))
    csv = _write(tmp_path, "extra.csv", "label,review\n" + rows)
    out = io.StringIO()
    call_command("ecom_ai", "train", "sentiment-baseline", "--csv", str(csv), "--param", "refit=false", stdout=out, skip_checks=True)
    assert "held-out accuracy" in out.getvalue()
    meta = artifacts.load_active("sentiment").meta
    assert meta["sources"]["shop_reviews"] == 17 and meta["sources"]["csv_rows"] == 40
    with pytest.raises(CommandError, match="Unknown parameter"):
        call_command("ecom_ai", "train", "sentiment-baseline", "--csv", str(csv), "--param", "bogus=1", stdout=io.StringIO(), skip_checks=True)


def test_summaries_use_the_active_classifier(shop, trained):
    from ecom_ai.jobs import engine as jobs
    from demo_shop.models import Product

    job = jobs.run_job_sync(jobs.start_job("feedback_summary", Product.objects.filter(pk=shop["phone"].pk), dispatch=False))
    s = FeedbackSummary.objects.get(job=job)
    assert s.sentiment_source == f"sentiment:{trained['metrics']['version']}"
    assert s.positive_count + s.negative_count == s.distinct_count
    # review negatives are the classifier's labels; an aspect's polarity is the review's own reading of it
    analysis = service.analyse(service.get_adapter().get_reviews([shop["phone"].pk]))
    negative = {i for i, label in analysis.labels.items() if label == 0}
    assert s.negative_count == len(negative)
    for t in (t for t in s.themes if t["source"] == "aspect"):
        judged = {r.pk: service.detect_aspects(r.text, "手机").get(t["slug"]) for r in shop["phone"].reviews.all()}
        assert t["count"] == sum(1 for p in judged.values() if p)
        assert t["negative"] == sum(1 for p in judged.values() if p == "neg")
