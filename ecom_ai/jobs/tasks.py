"""The job engine's Celery tasks: thin wrappers that take primary keys and call :mod:`ecom_ai.jobs.engine`."""
from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from ecom_ai.conf import ecom_ai_settings
from ecom_ai.llm.base import BackendUnavailable
from ecom_ai.jobs import engine as jobs

log = logging.getLogger(__name__)


#: errors a retry can cure; anything else fails the item with its reason inside the pipeline
TRANSIENT_ERRORS = (OperationalError, InterfaceError, BackendUnavailable, ConnectionError, TimeoutError,
                    SoftTimeLimitExceeded)


def _backoff(retries: int) -> float:
    return min(60.0, 2.0 ** retries)


@shared_task(name="ecom_ai.tasks.run_job_task", bind=True, acks_late=True, reject_on_worker_lost=True,
             max_retries=None)
def run_job_task(self, job_id: int) -> None:
    """Split a job into chunk tasks."""
    try:
        jobs.dispatch(job_id)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= ecom_ai_settings.TASK_MAX_RETRIES:
            raise
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries))


@shared_task(name="ecom_ai.tasks.run_chunk_task", bind=True, acks_late=True, reject_on_worker_lost=True,
             max_retries=None)
def run_chunk_task(self, job_id: int, item_ids: list[int]) -> None:
    """Run one chunk of a job's items; retried with backoff on transient errors only."""
    try:
        jobs.run_chunk(job_id, item_ids, task_id=self.request.id or "eager")
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= ecom_ai_settings.TASK_MAX_RETRIES:
            log.error("ecom_ai job %s: giving up on a chunk after %s retries: %s", job_id, self.request.retries, exc)
            jobs.fail_items(job_id, item_ids, f"gave up after {self.request.retries} retries: {exc}")
            return
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries))


@shared_task(name="ecom_ai.jobs.tasks.recover_stale_job_items_task")
def recover_stale_job_items_task(older_than_s: int = 3600) -> int:
    """Re-queue job items whose worker vanished without a trace."""
    return jobs.recover_stale(older_than_s)


@shared_task(name="ecom_ai.jobs.tasks.heal_stalled_jobs_task")
def heal_stalled_jobs_task() -> list[int]:
    """The beat's stall check: mark jobs that stopped moving and queue their items again, once."""
    from ecom_ai.jobs import stalls

    return stalls.heal_stalled()
