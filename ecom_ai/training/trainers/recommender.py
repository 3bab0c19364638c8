"""The recommender as a tracked run (what ``make demo`` trains): the recommendations feature's public trainer
fits its models on the shop's purchases; its model-selection report, when it gives one, is the run's
``metrics["candidates"]`` (one row per model: ndcg@10, recall@10, coverage, fit time, which one serves)."""
from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ecom_ai.storage import artifacts
from ecom_ai.training.trainers.baselines import _record
from ecom_ai.training.trainers.options import Options, option

ARTIFACT = "recommender"


@dataclass
class RecommenderOptions(Options):
    KIND = "recommender"

    factors: int | None = option(None, _("ALS factors"), _("Empty: the recommender's default."), minimum=1)
    regularization: float | None = option(None, _("ALS regularisation"), _("Empty: the recommender's default."),
                                          minimum=0.0)
    iterations: int | None = option(None, _("ALS iterations"), _("Empty: the recommender's default."), minimum=1)
    alpha: float | None = option(None, _("ALS confidence weight"), _("Empty: the recommender's default."), minimum=0.0)
    half_life_days: float | None = option(None, _("half-life (days)"), _("How fast old purchases fade. Empty: the "
                                                                         "HALF_LIFE_DAYS setting."), minimum=0.1)
    num_threads: int | None = option(None, _("threads"), _("Empty: the recommender's own choice."), minimum=1)


def train(run, o: RecommenderOptions, reporter) -> dict:
    from ecom_ai.recommendations import services as recommendations

    out = io.StringIO()
    params = {f.name: getattr(o, f.name) for f in o.fields() if getattr(o, f.name) is not None}
    metrics = dict(recommendations.train(out=out, csv=run.csv or None, activate=run.activate_when_done, **params))
    reporter.data(int(metrics.get("interactions") or 0))
    version = metrics.get("version")
    if "candidates" not in metrics and version:       # the report may sit in the artefact's meta instead
        candidates = artifacts.read_meta(ARTIFACT, version).get("candidates")
        if candidates:
            metrics["candidates"] = candidates
    return _record(run, metrics, ARTIFACT, reporter, out)
