"""Offline evaluation of the feedback feature (``ecom_ai evaluate sentiment``)."""
from __future__ import annotations

import time

from ecom_ai.feedback.corpus import _sample, read_labelled_csv, shop_labelled_reviews
from ecom_ai.feedback.sentiment import _metrics, train_sentiment_baseline
from ecom_ai.nlp import sentiment as sentiment_nlp
from ecom_ai.storage import artifacts


def evaluate_sentiment(*, out, csv=None, model=None, limit=None, seed: int = 0) -> dict:
    """Accuracy (and per-class precision/recall) of the active classifier, or of the stored version
    ``model``, on a ``label,review`` CSV (gzip accepted), or on the shop's rated reviews."""
    if not model and artifacts.active_version(sentiment_nlp.ARTIFACT_NAME) is None:
        out.write("No sentiment classifier is active yet: training the baseline first "
                  "(python manage.py ecom_ai train sentiment-baseline).\n")
        train_sentiment_baseline(out=out, activate=True)
    artifact = artifacts.load(sentiment_nlp.ARTIFACT_NAME, model) if model else artifacts.load_active(sentiment_nlp.ARTIFACT_NAME)
    if csv:
        texts, labels = read_labelled_csv(csv, limit=int(limit) if limit else None, seed=seed)
        source = str(csv)
    else:
        texts, labels = _sample(*shop_labelled_reviews(), int(limit) if limit else None, seed)
        source = "the shop's rated reviews"
    if not texts:
        raise ValueError(f"No labelled reviews to evaluate on in {source}.")
    started = time.perf_counter()
    predicted = sentiment_nlp.predict(texts, model=artifact.obj)
    seconds = time.perf_counter() - started
    m = _metrics(labels, predicted)
    m.update({"model": f"{artifact.name}:{artifact.version}", "source": source, "seconds": round(seconds, 2)})
    out.write(f"sentiment {artifact.version} on {source}: accuracy {m['accuracy']:.4f} (n={m['n']})\n")
    for name in ("positive", "negative"):
        out.write(f"  {name:<8} precision {m[f'{name}_precision']:.4f}  recall {m[f'{name}_recall']:.4f}  n={m[f'{name}_n']}\n")
    return m
