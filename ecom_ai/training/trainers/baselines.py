"""The scikit-learn models the shop starts with, as tracked runs: the sentiment baseline (what ``make demo``
trains) and the intent baseline. Each calls its feature's public trainer, which reads the feature's data."""
from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ecom_ai.storage import artifacts
from ecom_ai.training.trainers.common import finish_artifact
from ecom_ai.training.trainers.options import Options, option


@dataclass
class SentimentBaselineOptions(Options):
    KIND = "sentiment-baseline"

    C: float = option(0.3, _("regularisation C"), _("Larger: fits the training reviews more closely."), minimum=1e-6)
    classifier: str = option("svm", _("classifier"), choices=(("svm", _("linear SVM")), ("lr", _("logistic regression"))))
    char_ngrams: tuple[int, int] = option((1, 3), _("character n-grams"), _("From-to, as in 1-3."))
    word_ngrams: tuple[int, int] | None = option((1, 2), _("word n-grams"), _("From-to, as in 1-2; empty: none."))
    test_size: float = option(0.1, _("held-out share"), minimum=0.01, maximum=0.5)
    limit: int | None = option(None, _("rows of the labelled file"), minimum=1)
    shop: bool = option(True, _("the shop's own labels"), _("Rated reviews of the shop."))
    refit: bool = option(True, _("refit on everything"), _("Train again on every row before storing."))
    seed: int = option(0, _("seed"))

    @property
    def task(self) -> str:
        return "sentiment"


@dataclass
class IntentBaselineOptions(Options):
    KIND = "intent-baseline"

    C: float | None = option(None, _("regularisation C"), _("Empty: the intent model's default."), minimum=1e-6)
    ngram_max: int | None = option(None, _("longest character n-gram"), _("Empty: the intent model's default."),
                                   minimum=1)
    seed: int = option(0, _("seed"))

    @property
    def task(self) -> str:
        return "intent"


def _record(run, metrics: dict, name: str, reporter, out: io.StringIO) -> dict:
    """What a feature's trainer wrote and stored, on the run."""
    for line in out.getvalue().splitlines():
        reporter.write(line)
    reporter.step(1, 1)
    version = metrics.get("version")
    if version:
        finish_artifact(run, name, version, artifacts.root() / name / version, activate=False)
    return metrics


def train_sentiment(run, o: SentimentBaselineOptions, reporter) -> dict:
    from ecom_ai.feedback import services as feedback

    out = io.StringIO()
    params = {"C": o.C, "classifier": o.classifier, "char_ngrams": list(o.char_ngrams),
              "word_ngrams": list(o.word_ngrams) if o.word_ngrams else None, "test_size": o.test_size,
              "shop": o.shop, "refit": o.refit, "seed": o.seed, **({"limit": o.limit} if o.limit else {})}
    metrics = feedback.train_sentiment_baseline(out=out, csv=run.csv or None, activate=run.activate_when_done, **params)
    reporter.data(int(metrics.get("n_train") or 0) + (0 if o.refit else int(metrics.get("n_heldout") or 0)))
    return _record(run, metrics, "sentiment", reporter, out)


def train_intent(run, o: IntentBaselineOptions, reporter) -> dict:
    from ecom_ai.inquiries import services as inquiries

    out = io.StringIO()
    params = {k: v for k, v in (("C", o.C), ("ngram_max", o.ngram_max)) if v is not None}
    metrics = inquiries.train_intent_baseline(out=out, csv=run.csv or None, activate=run.activate_when_done,
                                              seed=o.seed, **params)
    reporter.data(int(metrics.get("n_examples") or 0))
    return _record(run, metrics, "intent", reporter, out)
