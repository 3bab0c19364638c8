"""Stalled jobs, seen and healed.

An active job whose unfinished items made no progress for ``ECOM_AI["STALL_TIMEOUT"]`` seconds (no item
claimed or finished, nothing running under a live claim) is *stalled*: its messages were lost (a broker
restarted without persistence, a worker's main process killed on the filesystem broker) or the worker
holding them does not run them. :func:`heal_stalled` (the beat runs it) marks such a job, with the
reason, and queues its items again once; the mark goes as soon as an item finishes. Staff resume a job
that stays stalled with :func:`resume` (the admin's "Resume stalled jobs").

A running item counts as stuck only once its claim is older than the chunk's hard time limit
(``CHUNK_TIME_LIMIT`` + 60 s) when that is longer than the stall timeout: a slow chunk is not a stall.

Queuing again is safe: every change is a conditional UPDATE (the mark is set once, by whoever sets it
first), a chunk claims only pending items, and a result is saved only under the claim that holds its item,
so an item whose first worker wakes up after all is still done exactly once.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext

from ecom_ai.conf import ecom_ai_settings
from ecom_ai.jobs import engine
from ecom_ai.jobs.models import AIJob, AIJobItem

log = logging.getLogger(__name__)

#: what the hard time limit adds to CHUNK_TIME_LIMIT (engine.dispatch sends chunks with it)
HARD_LIMIT_MARGIN_S = 60


def stall_limits() -> tuple[float, float]:
    """Seconds without progress before a job is stalled, and before a running item is stuck."""
    stall_s = float(ecom_ai_settings.STALL_TIMEOUT)
    if stall_s <= 0:
        raise ValueError(f"ECOM_AI['STALL_TIMEOUT'] must be a positive number of seconds, not {stall_s!r}")
    chunk = ecom_ai_settings.CHUNK_TIME_LIMIT
    return stall_s, max(stall_s, float(chunk) + HARD_LIMIT_MARGIN_S) if chunk else stall_s


def stalled_candidates(now=None) -> models.QuerySet:
    """Active, unmarked jobs with unfinished items that nothing has touched for the stall timeout."""
    now = now or timezone.now()
    stall_s, running_s = stall_limits()
    cutoff = now - timedelta(seconds=stall_s)
    moved = AIJobItem.objects.filter(job_id=models.OuterRef("pk")).filter(
        models.Q(claimed_at__gte=cutoff) | models.Q(finished_at__gte=cutoff))
    live = AIJobItem.objects.filter(job_id=models.OuterRef("pk"), status=AIJobItem.Status.RUNNING,
                                    claimed_at__gte=now - timedelta(seconds=running_s))
    return (AIJob.objects.filter(status__in=AIJob.ACTIVE, stalled_at__isnull=True, created_at__lt=cutoff)
            .filter(models.Q(n_pending__gt=0) | models.Q(n_running__gt=0))
            .exclude(started_at__gte=cutoff).exclude(models.Exists(moved)).exclude(models.Exists(live)))


def _requeue_stuck(job_id: int, now) -> int:
    """Running items whose claim is past the hard limit go back to pending; the job is sent again."""
    _, running_s = stall_limits()
    stuck = AIJobItem.objects.filter(job_id=job_id, status=AIJobItem.Status.RUNNING,
                                     claimed_at__lt=now - timedelta(seconds=running_s))
    n = stuck.update(status=AIJobItem.Status.PENDING, claim="", claimed_at=None)
    engine._count(job_id, running=-n, pending=n)
    engine.enqueue_job(job_id)
    return n


def heal_stalled(now=None) -> list[int]:
    """Mark each newly stalled job with its reason and queue its items again, once. Returns their ids."""
    now = now or timezone.now()
    stall_s, _ = stall_limits()
    healed = []
    for job in stalled_candidates(now).only("pk", "n_pending", "n_running", "language"):
        with translation.override(job.language or None):  # in the language of whoever started the job
            reason = gettext(
                "No item moved for %(s)d s (%(pending)d pending, %(running)d running): the worker holding them is "
                "gone or does not run them. The items were queued again at %(at)s."
            ) % {"s": stall_s, "pending": job.n_pending, "running": job.n_running, "at": now.strftime("%H:%M:%S")}
        with transaction.atomic():
            marked = AIJob.objects.filter(pk=job.pk, status__in=AIJob.ACTIVE, stalled_at__isnull=True).update(
                stalled_at=now, stall_reason=reason)
            if not marked:
                continue  # another checker marked it first: it queues the items, not us
            n = _requeue_stuck(job.pk, now)
        log.warning("ecom_ai job %s stalled: %s (%s running item(s) back to pending)", job.pk, reason, n)
        healed.append(job.pk)
    return healed


def resume(job: AIJob) -> int:
    """Staff's one click on a stalled job: clear the mark, queue stuck items and the job again.

    Returns the number of unfinished items sent again (0 when the job is not stalled)."""
    now = timezone.now()
    with transaction.atomic():
        if not AIJob.objects.filter(pk=job.pk, status__in=AIJob.ACTIVE, stalled_at__isnull=False).update(
                stalled_at=None, stall_reason=""):
            return 0
        _requeue_stuck(job.pk, now)
    job.refresh_from_db()
    return job.n_pending + job.n_running
