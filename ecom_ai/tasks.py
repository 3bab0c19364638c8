"""Every Celery task of ecom_ai, collected so ``autodiscover_tasks`` registers them all.

Task names are explicit (``name=``) and kept from before the feature packages, so messages queued
before an upgrade still run.
"""
from celery import shared_task

from ecom_ai.impact.tasks import attribute_orders_task
from ecom_ai.jobs.tasks import heal_stalled_jobs_task, recover_stale_job_items_task, run_chunk_task, run_job_task
from ecom_ai.recommendations.tasks import recompute_all_recommendations_task, train_recommender_task
from ecom_ai.training.tasks import run_training_task

__all__ = ["run_job_task", "run_chunk_task", "recover_stale_job_items_task", "heal_stalled_jobs_task",
           "recover_stale_items_task", "recompute_all_recommendations_task", "train_recommender_task",
           "run_training_task", "attribute_orders_task"]


@shared_task(name="ecom_ai.tasks.recover_stale_items_task")
def recover_stale_items_task(older_than_s: int = 3600) -> int:
    """The beat's safety net: re-queue job items whose worker vanished without a trace, and close (or
    send again) training runs whose worker did. Returns the number of job items queued again."""
    from ecom_ai.jobs import engine
    from ecom_ai.training import runs

    runs.recover_stale(older_than_s)
    return engine.recover_stale(older_than_s)
