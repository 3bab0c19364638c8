"""Celery tasks of the recommendations feature (``ecom_ai.tasks`` imports it, so the
worker registers it).

Beat schedule, e.g. nightly::

    CELERY_BEAT_SCHEDULE = {
        "ecom-ai-recompute-recommendations": {
            "task": "ecom_ai.recsys.tasks.recompute_all_recommendations_task",
            "schedule": crontab(hour=3, minute=0),
            "kwargs": {"retrain": True},
        },
    }
"""
from __future__ import annotations

from celery import shared_task


@shared_task(name="ecom_ai.recsys.tasks.recompute_all_recommendations_task")
def recompute_all_recommendations_task(retrain: bool = True) -> int | None:
    """Retrain the recommender (optional) and start a job recomputing every customer's set; returns the job id.
    Served lists older than ``SERVED_KEEP_DAYS`` are pruned first."""
    from ecom_ai.recommendations import services as recommendations

    recommendations.prune_served()
    job = recommendations.recompute_all(retrain=retrain)
    return job.pk if job else None


@shared_task(name="ecom_ai.recsys.tasks.train_recommender_task")
def train_recommender_task(**params) -> str:
    """Train and activate a new recommender version; workers reload it on their next request."""
    from ecom_ai.recommendations import services as recommendations

    return recommendations.train(out=recommendations._NullOut(), **params)["version"]
