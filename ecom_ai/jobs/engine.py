"""The job engine: start a job, run its chunks, retry, cancel, recover.

Every entry point (admin action, API view, management command) calls :func:`start_job`. Items
change state only through conditional UPDATEs, so a chunk delivered twice, or a worker killed in
the middle of one, neither loses an item nor writes its result twice:

* claiming sets ``status=running`` and a ``claim`` token only where the item is still pending
  (or running under an earlier delivery of the same Celery task, whose worker died);
* finishing writes the result and flips ``running -> done`` *for this claim* in one transaction;
  if another delivery took the item over meanwhile, the update matches nothing and the
  transaction, result included, rolls back.
"""
from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Cast
from django.utils import timezone, translation

from ecom_ai.conf import ecom_ai_settings
from ecom_ai.llm.base import BackendUnavailable
from ecom_ai.jobs.models import AIJob, AIJobItem
from ecom_ai.jobs.pipeline import get_pipeline

log = logging.getLogger(__name__)

Item = AIJobItem.Status
Job = AIJob.Status


class JobError(Exception):
    """A job cannot be started or changed as asked (clear message for the user)."""


class LostClaim(Exception):
    """The item was taken over by another delivery; this one's result must not be saved."""


# --------------------------------------------------------------------------- starting

def _insert_items_from_queryset(job: AIJob, queryset: models.QuerySet) -> int:
    """``INSERT INTO items SELECT ... FROM (the selection)``: one query for any number of rows."""
    if queryset.query.is_sliced:
        queryset = queryset.model._default_manager.filter(pk__in=queryset.values("pk"))
    queryset = queryset.order_by()  # the admin's ordering costs a sort for nothing
    defaults = {"job_id": job.pk, "status": Item.PENDING, "attempts": 0, "claim": "", "result_id": "",
                "error": "", "tokens_in": 0, "tokens_out": 0, "latency_ms": 0.0}
    select = queryset.values("pk").distinct().annotate(
        _target=Cast("pk", output_field=models.CharField()),
        **{f"_{name}": Value(value) for name, value in defaults.items()},
    ).values_list("_target", *(f"_{name}" for name in defaults))
    try:
        sql, params = select.query.sql_with_params()
    except EmptyResultSet:
        return 0
    columns = ", ".join(connection.ops.quote_name(AIJobItem._meta.get_field(name).column)
                        for name in ["target_id", *defaults])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {connection.ops.quote_name(AIJobItem._meta.db_table)} ({columns}) {sql}", params)
        return cursor.rowcount


def start_job(kind: str, targets: Iterable, *, params: dict | None = None, user=None, model=None,
              token_budget: int | None = None, dispatch: bool = True) -> AIJob:
    """Create a job with one item per target and enqueue it once the transaction commits.

    ``targets`` is a queryset (the admin's selection), model instances, or primary keys
    together with ``model``. A queryset costs a fixed number of queries whatever its size.
    """
    pipeline = get_pipeline(kind)
    expected = pipeline.get_target_model()
    is_queryset = isinstance(targets, models.QuerySet)
    if is_queryset:
        target_model, ids = targets.model, None
    else:
        targets = list(targets)
        target_model = model or next((type(t) for t in targets if isinstance(t, models.Model)), None)
        ids = list(dict.fromkeys(str(t.pk if isinstance(t, models.Model) else t) for t in targets))
    if expected is not None and target_model is not None and target_model._meta.concrete_model is not expected:
        raise JobError(f"A {kind} job takes {expected._meta.label} rows, not {target_model._meta.label}.")
    target_model = target_model or expected
    if token_budget is None:
        token_budget = (params or {}).get("token_budget") or ecom_ai_settings.DEFAULT_TOKEN_BUDGET
    with transaction.atomic():
        job = AIJob.objects.create(
            kind=kind,
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            target_type=ContentType.objects.get_for_model(target_model) if target_model else None,
            params=params or {},
            token_budget=token_budget,
            language=translation.get_language() or "",
        )
        if is_queryset:
            n = _insert_items_from_queryset(job, targets)
        else:
            n = len(AIJobItem.objects.bulk_create([AIJobItem(job=job, target_id=pk) for pk in ids]))
        if not n:
            raise JobError("Select at least one row to start a job.")
        AIJob.objects.filter(pk=job.pk).update(n_items=n, n_pending=n)
        job.n_items = job.n_pending = n
        if dispatch:
            enqueue_job(job.pk)
    return job


def _queue_options() -> dict:
    """The Celery options every ecom_ai task is sent with: the ``QUEUE`` setting, when set."""
    return {"queue": ecom_ai_settings.QUEUE} if ecom_ai_settings.QUEUE else {}


def send_on_commit(task, *args) -> None:
    """Send ``task(*args)`` to a worker after the surrounding transaction commits (never before)."""
    options = _queue_options()
    transaction.on_commit(lambda: task.apply_async(args, **options))


def enqueue_job(job_id: int) -> None:
    """Send the job to a worker after the surrounding transaction commits (never before)."""
    from ecom_ai.jobs.tasks import run_job_task

    send_on_commit(run_job_task, job_id)


# --------------------------------------------------------------------------- dispatching

def dispatch(job_id: int) -> int:
    """Split the job's pending items into chunks and enqueue one task per chunk.

    Safe to run twice: a chunk only claims items that are still pending.
    Returns the number of chunks sent.
    """
    from ecom_ai.jobs.tasks import run_chunk_task

    job = AIJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in AIJob.ACTIVE:
        return 0
    chunks = _start_and_chunk(job)
    options = _queue_options()
    if ecom_ai_settings.CHUNK_TIME_LIMIT:
        # past the soft limit the chunk gives its items back and is retried; the hard limit
        # kills a worker child that ignores it (a wedged native call), and the message returns
        options.update(soft_time_limit=ecom_ai_settings.CHUNK_TIME_LIMIT,
                       time_limit=ecom_ai_settings.CHUNK_TIME_LIMIT + 60)
    for chunk in chunks:
        run_chunk_task.apply_async((job_id, chunk), **options)
    if not chunks:
        finish_if_complete(job_id)
    return len(chunks)


def _start_and_chunk(job: AIJob) -> list[list[int]]:
    """Mark the job started and running; its pending items' ids in chunks of CHUNK_SIZE."""
    AIJob.objects.filter(pk=job.pk, started_at__isnull=True).update(started_at=timezone.now())
    AIJob.objects.filter(pk=job.pk, status=Job.QUEUED).update(status=Job.RUNNING)
    ids = list(job.items.filter(status=Item.PENDING).values_list("pk", flat=True))
    size = max(1, int(job.params.get("chunk_size") or ecom_ai_settings.CHUNK_SIZE))
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def run_job_sync(job: AIJob) -> AIJob:
    """Run every pending item of the job in this process (``--sync``, tests, benchmarks)."""
    for chunk in _start_and_chunk(job):
        run_chunk(job.pk, chunk, task_id=f"sync-{job.pk}")
    finish_if_complete(job.pk)
    job.refresh_from_db()
    return job


# --------------------------------------------------------------------------- running a chunk

def make_claim(task_id: str) -> str:
    return f"{task_id}:{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def claim_items(job_id: int, item_ids: list[int], task_id: str, claim: str) -> list[AIJobItem]:
    """Take the chunk's items for this delivery; returns the items now held by ``claim``."""
    now = timezone.now()
    max_attempts = ecom_ai_settings.MAX_ITEM_ATTEMPTS
    with transaction.atomic():
        mine = AIJobItem.objects.filter(job_id=job_id, pk__in=item_ids)
        # An earlier delivery of this same task died holding items: they are ours to redo,
        # unless they have been tried too often.
        orphaned = mine.filter(status=Item.RUNNING, claim__startswith=f"{task_id}:").exclude(claim=claim)
        exhausted = list(orphaned.filter(attempts__gte=max_attempts).values_list("pk", flat=True))
        if exhausted:
            n = AIJobItem.objects.filter(pk__in=exhausted, status=Item.RUNNING).update(
                status=Item.FAILED, error=f"worker lost {max_attempts} times while running this item",
                finished_at=now, claim="",
            )
            _count(job_id, running=-n, failed=n)
        orphaned.filter(attempts__lt=max_attempts).update(claim=claim, claimed_at=now, attempts=F("attempts") + 1)
        taken = mine.filter(status=Item.PENDING).update(
            status=Item.RUNNING, claim=claim, claimed_at=now, attempts=F("attempts") + 1
        )
        _count(job_id, pending=-taken, running=taken)
    return list(AIJobItem.objects.filter(job_id=job_id, pk__in=item_ids, status=Item.RUNNING, claim=claim))


def release_items(job_id: int, claim: str) -> int:
    """Give this delivery's running items back (before a retry of the task)."""
    with transaction.atomic():
        n = AIJobItem.objects.filter(job_id=job_id, status=Item.RUNNING, claim=claim).update(
            status=Item.PENDING, claim="", claimed_at=None
        )
        _count(job_id, pending=n, running=-n)
    return n


def fail_items(job_id: int, item_ids: list[int], reason: str) -> int:
    """Fail the chunk's unfinished items with a reason (the task gave up retrying)."""
    now = timezone.now()
    with transaction.atomic():
        items = AIJobItem.objects.filter(job_id=job_id, pk__in=item_ids)
        pending = items.filter(status=Item.PENDING).update(status=Item.FAILED, error=reason[:1000], finished_at=now)
        running = items.filter(status=Item.RUNNING).update(status=Item.FAILED, error=reason[:1000], finished_at=now, claim="")
        _count(job_id, pending=-pending, running=-running, failed=pending + running)
    finish_if_complete(job_id)
    return pending + running


def _count(job_id: int, **deltas) -> None:
    """Move the job's item counters: ``_count(job_id, pending=-3, running=3)``."""
    _add(job_id, **{f"n_{name}": delta for name, delta in deltas.items()})


def _add(job_id: int, **deltas) -> None:
    """Add to the job's numeric fields in one UPDATE (F expressions: safe under concurrency)."""
    changes = {name: F(name) + delta for name, delta in deltas.items() if delta}
    if changes:
        AIJob.objects.filter(pk=job_id).update(**changes)


def run_chunk(job_id: int, item_ids: list[int], *, task_id: str) -> None:
    """Claim, process and settle one chunk of items."""
    job = AIJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in AIJob.ACTIVE:
        return
    if job.token_budget is not None and job.tokens_used >= job.token_budget:
        stop_for_budget(job_id)
        return
    with translation.override(job.language or None):  # staff-facing reasons in the starter's language
        _run_claimed(job, item_ids, task_id=task_id)


def _run_claimed(job: AIJob, item_ids: list[int], *, task_id: str) -> None:
    job_id = job.pk
    claim = make_claim(task_id)
    items = claim_items(job_id, item_ids, task_id, claim)
    if not items:
        finish_if_complete(job_id)
        return
    pipeline = get_pipeline(job.kind)
    try:
        units = pipeline.collect(job, items)
        for unit in units:
            if not unit.error:
                _step(unit, pipeline.ground, job)
        try:
            pipeline.generate(job, [u for u in units if not u.error])
        except BackendUnavailable:
            raise
        except Exception as exc:  # a permanent backend error fails the chunk's items, with the reason
            log.exception("ecom_ai job %s: generate failed", job_id)
            for unit in units:
                unit.error = unit.error or f"generate: {exc}"[:1000]
        for unit in units:
            if not unit.error:
                _step(unit, pipeline.verify, job)
    except Exception:
        # Transient failures (database, broker, backend unavailable) reach the task, which
        # retries with backoff; the items go back to pending so the retry takes them again.
        release_items(job_id, claim)
        raise
    settle_all(job, pipeline, units, claim)
    finish_if_complete(job_id)


def _step(unit, fn, job) -> None:
    try:
        fn(job, unit)
    except BackendUnavailable:
        raise
    except Exception as exc:  # one bad item must not sink its chunk
        log.exception("ecom_ai job %s item %s: %s failed", job.pk, unit.item.target_id, fn.__name__)
        unit.error = f"{fn.__name__}: {exc}"[:1000]


def settle_all(job: AIJob, pipeline, units, claim: str) -> None:
    """Settle a chunk's units in one transaction (one commit, one update of the job's counters).

    Each unit runs in its own savepoint, so a unit whose item was taken over, or whose save
    fails, is rolled back alone. A worker that dies before the commit leaves the whole chunk
    running under its claim, and the redelivered chunk does it again: nothing is written twice.
    """
    totals = {"n_running": 0, "n_done": 0, "n_failed": 0, "tokens_in": 0, "tokens_out": 0, "latency_ms": 0.0}
    with transaction.atomic():
        for unit in units:
            outcome = settle(job, pipeline, unit, claim)
            if outcome is None:
                continue
            totals["n_running"] -= 1
            totals[f"n_{outcome}"] += 1
            totals["tokens_in"] += unit.tokens_in
            totals["tokens_out"] += unit.tokens_out
            totals["latency_ms"] += unit.latency_ms
        _add(job.pk, **totals)
        if totals["n_done"] or totals["n_failed"]:  # the job moves: it is not stalled (jobs.stalls)
            AIJob.objects.filter(pk=job.pk, stalled_at__isnull=False).update(stalled_at=None, stall_reason="")


def settle(job: AIJob, pipeline, unit, claim: str) -> str | None:
    """Write the unit's result and mark its item done, or fail it with the reason, atomically.

    Returns "done" or "failed", or None when another delivery holds the item (nothing written).
    The caller adds the outcome to the job's counters.
    """
    now = timezone.now()
    item = unit.item
    try:
        with transaction.atomic():
            result = None
            if not unit.error:
                try:
                    with transaction.atomic():
                        result = pipeline.save(job, unit)
                except LostClaim:
                    raise
                except Exception as exc:
                    log.exception("ecom_ai job %s item %s: save failed", job.pk, item.target_id)
                    unit.error = f"save: {exc}"[:1000]
            fields = dict(tokens_in=unit.tokens_in, tokens_out=unit.tokens_out, latency_ms=unit.latency_ms,
                          finished_at=now, claim="")
            if unit.error:
                fields.update(status=Item.FAILED, error=unit.error)
            else:
                fields.update(status=Item.DONE, error="")
                if result is not None:
                    fields.update(result_type=ContentType.objects.get_for_model(result), result_id=str(result.pk))
            if not AIJobItem.objects.filter(pk=item.pk, status=Item.RUNNING, claim=claim).update(**fields):
                raise LostClaim(item.pk)
    except LostClaim:
        log.warning("ecom_ai job %s item %s was taken over by another delivery; result discarded", job.pk, item.pk)
        return None
    return "failed" if unit.error else "done"


def finish_if_complete(job_id: int) -> None:
    """Close the job once no item is pending or running (exactly once, by a conditional update)."""
    job = AIJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in AIJob.ACTIVE or job.n_pending or job.n_running:
        return
    if job.n_failed == 0:
        status = Job.DONE
    elif job.n_done == 0:
        status = Job.FAILED
    else:
        status = Job.PARTIAL
    now = timezone.now()
    errors = (job.items.filter(status=Item.FAILED).values("error")
              .annotate(n=models.Count("id")).order_by("-n")[:5])
    summary = "\n".join(f"{row['n']} × {row['error']}" for row in errors)
    wall = (now - job.started_at).total_seconds() if job.started_at else None
    AIJob.objects.filter(pk=job_id, status__in=AIJob.ACTIVE).update(
        status=status, finished_at=now, wall_time_s=wall, error_summary=summary
    )


def stop_for_budget(job_id: int) -> None:
    """The token budget is spent: stop cleanly; pending items stay pending for a later resume."""
    AIJob.objects.filter(pk=job_id, status__in=AIJob.ACTIVE).update(
        status=Job.BUDGET_SPENT, finished_at=timezone.now(),
        error_summary="The job's token budget is spent; raise it and resume to finish the rest.",
    )


# --------------------------------------------------------------------------- staff actions

def retry_failed(job: AIJob, *, token_budget: int | None = None) -> int:
    """Put failed items (and pending ones of a stopped job) back in the queue; returns how many."""
    if job.is_active and not job.n_failed:
        return 0
    with transaction.atomic():
        n = job.items.filter(status=Item.FAILED).update(status=Item.PENDING, error="", claim="", attempts=0)
        _count(job.pk, failed=-n, pending=n)
        job.refresh_from_db()
        if not job.n_pending:
            return 0
        changes = {"status": Job.QUEUED, "finished_at": None, "error_summary": ""}
        if token_budget is not None:
            changes["token_budget"] = token_budget
        AIJob.objects.filter(pk=job.pk).update(**changes)
        enqueue_job(job.pk)
    return job.n_pending


def cancel(job: AIJob) -> bool:
    """Stop a queued or running job; items already running finish, pending ones stay pending."""
    return bool(AIJob.objects.filter(pk=job.pk, status__in=AIJob.ACTIVE).update(
        status=Job.CANCELLED, finished_at=timezone.now(), error_summary="Cancelled by staff."
    ))


def recover_stale(older_than_s: int = 3600) -> int:
    """Return items stuck in running (their worker and its message are gone) to pending and
    re-dispatch their jobs (brokers without acknowledgements, e.g. the filesystem one); also
    re-dispatch active jobs whose pending items have not moved since the cutoff (their messages
    were lost, e.g. with a Redis restarted without persistence). Returns the items queued again."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_s)
    stale = AIJobItem.objects.filter(status=Item.RUNNING, claimed_at__lt=cutoff, job__status__in=AIJob.ACTIVE)
    job_ids = set(stale.values_list("job_id", flat=True))
    total = 0
    for job_id in job_ids:
        with transaction.atomic():
            n = stale.filter(job_id=job_id).update(status=Item.PENDING, claim="", claimed_at=None)
            _count(job_id, running=-n, pending=n)
            enqueue_job(job_id)
        total += n
    # Pending items whose messages vanished (a broker restarted without persistence, a purged
    # queue): their job has not moved since the cutoff. Sending it again is safe even if the old
    # messages still exist: dispatch() sends only pending items and a chunk claims only those.
    recent = AIJobItem.objects.filter(job_id=models.OuterRef("pk")).filter(
        models.Q(claimed_at__gte=cutoff) | models.Q(finished_at__gte=cutoff))
    idle = (AIJob.objects.filter(status__in=AIJob.ACTIVE, n_pending__gt=0, created_at__lt=cutoff)
            .exclude(pk__in=job_ids).exclude(started_at__gte=cutoff).exclude(models.Exists(recent)))
    for job_id, n_pending in idle.values_list("pk", "n_pending"):
        with transaction.atomic():
            enqueue_job(job_id)
        total += n_pending
    return total


def wait_for(job: AIJob, *, timeout_s: float | None = None, poll_s: float = 0.5, on_progress=None) -> AIJob:
    """Block until the job leaves the active states (``--wait``)."""
    started = time.monotonic()
    while True:
        job.refresh_from_db()
        if on_progress:
            on_progress(job)
        if not job.is_active:
            return job
        if timeout_s is not None and time.monotonic() - started > timeout_s:
            raise TimeoutError(f"job {job.pk} still {job.status} after {timeout_s}s")
        time.sleep(poll_s)


def visible_jobs(user):
    """Jobs a user may see: all for staff with the view permission, else their own."""
    qs = AIJob.objects.all()
    if user.has_perm("ecom_ai.view_aijob"):
        return qs
    return qs.filter(requested_by=user) if user.is_authenticated else qs.none()


__all__ = [
    "start_job", "send_on_commit", "dispatch", "run_chunk", "run_job_sync", "retry_failed", "cancel", "recover_stale",
    "wait_for", "visible_jobs", "JobError",
]
