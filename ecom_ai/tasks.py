"""Every Celery task of ecom_ai, collected so ``autodiscover_tasks`` registers them all.

Task names are explicit (``name=``) and kept from before the feature packages, so messages queued
before an upgrade still run.
"""
from ecom_ai.jobs.tasks import recover_stale_items_task, run_chunk_task, run_job_task
from ecom_ai.recommendations.tasks import recompute_all_recommendations_task, train_recommender_task
from ecom_ai.training.tasks import run_training_task

__all__ = ["run_job_task", "run_chunk_task", "recover_stale_items_task", "recompute_all_recommendations_task",
           "train_recommender_task", "run_training_task"]
