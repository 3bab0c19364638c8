"""Celery task of the training feature: thin, takes a run's primary key and calls ``runs.execute``."""
from __future__ import annotations

from celery import shared_task


@shared_task(name="ecom_ai.training.tasks.run_training_task", acks_late=False)
def run_training_task(run_id: int) -> None:
    """Train a queued run. ``execute`` claims it (queued → running), so a second delivery does nothing.

    Not acks_late: a training run takes minutes and must not be redelivered to a second worker while
    the first is still at it; a run whose worker died stays "running" and is queued again from the admin.
    """
    from ecom_ai.training.models import TrainingRun
    from ecom_ai.training.runs import execute

    run = TrainingRun.objects.filter(pk=run_id).first()
    if run is None:
        return
    execute(run)
