"""Jobs under service faults with a real worker on PostgreSQL and Redis: the broker restarts and
loses every queued message, the database kills the workers' connections. Each item must end done
exactly once, or failed with a reason; nothing may be lost or stuck.

(A worker killed with SIGKILL mid-job is covered in tests/jobs/test_live_worker.py.)
"""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from urllib.parse import urlparse

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count

from ecom_ai.jobs.models import AIJob, AIJobItem
from ecom_ai.jobs import engine as jobs
from tests.live import live_worker, need  # noqa: F401  (fixture)

pytestmark = [pytest.mark.services, pytest.mark.slow]


def _users(prefix: str, n: int):
    User = get_user_model()
    User.objects.bulk_create([User(username=f"{prefix}{i:04d}") for i in range(n)])
    return User.objects.filter(username__startswith=prefix)


def _wait(job, timeout=90, until=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if until(job) if until else not job.is_active:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} stuck: {job.status} done={job.n_done} running={job.n_running} "
                         f"pending={job.n_pending} failed={job.n_failed}")


def _settled(job, n):
    """Every item is done once (one result row) or failed with a reason; the counters agree with the rows."""
    job.refresh_from_db()
    rows = dict(job.items.values_list("status").annotate(c=Count("id")).values_list("status", "c"))
    assert rows.get("pending", 0) == 0 and rows.get("running", 0) == 0, rows
    assert rows.get("done", 0) + rows.get("failed", 0) == n == job.n_items
    assert (job.n_done, job.n_failed, job.n_pending, job.n_running) == (rows.get("done", 0), rows.get("failed", 0), 0, 0)
    assert not job.items.filter(status="failed", error="").exists(), "an item failed without a reason"
    per_target = dict(LogEntry.objects.filter(object_repr=f"echo job {job.pk}").values_list("object_id")
                      .annotate(c=Count("id")).values_list("object_id", "c"))
    done_targets = set(job.items.filter(status="done").values_list("target_id", flat=True))
    assert set(per_target) == done_targets, "a done item has no result, or a failed one has one"
    assert set(per_target.values()) <= {1}, "an item was written twice"


# --------------------------------------------------------------------------- Redis restarts

def _redis_port() -> int:
    return urlparse(os.environ.get("CELERY_BROKER_URL", "")).port or 6379


def _redis_up(port: int) -> bool:
    return subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout.strip() == "PONG"


def _restart_redis(port: int, down_s: float = 1.5) -> None:
    subprocess.run(["redis-cli", "-p", str(port), "shutdown", "nosave"], capture_output=True, timeout=10)
    deadline = time.monotonic() + 10
    while _redis_up(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _redis_up(port), "Redis did not shut down"
    time.sleep(down_s)
    subprocess.run(["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", str(port),
                    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
                    "--logfile", "/var/log/redis/ci.log"], check=True, timeout=10)
    deadline = time.monotonic() + 15
    while not _redis_up(port):
        assert time.monotonic() < deadline, "Redis did not come back"
        time.sleep(0.1)


def test_redis_restart_mid_job_loses_its_messages_yet_every_item_ends_once(live_worker):
    need(shutil.which("redis-server") is not None and shutil.which("redis-cli") is not None,
         "redis-server/redis-cli are not installed here")
    port = _redis_port()
    need(_redis_up(port), f"no Redis on port {port} to restart")
    job = jobs.start_job("echo", _users("rr", 120), params={"chunk_size": 10, "sleep": 0.4})
    _wait(job, 60, until=lambda j: j.n_done >= 20)
    _restart_redis(port)  # every queued chunk message is gone now (Redis keeps nothing on disk)
    job.refresh_from_db()
    assert job.is_active and job.n_pending > 0, "the restart came too late to lose anything"
    # The chunks that were running finish on the database; the rest have no message any more.
    # The recovery path (what `ecom_ai recover` and the periodic task run) puts them back in the queue.
    _wait(job, 60, until=lambda j: j.n_running == 0)
    stuck_pending = job.n_pending
    time.sleep(1.5)
    recovered = jobs.recover_stale(older_than_s=1)
    job = _wait(job, 90)
    assert job.status == AIJob.Status.DONE, (job.status, job.error_summary, stuck_pending, recovered)
    assert job.n_done == 120
    _settled(job, 120)


# --------------------------------------------------------------------------- PostgreSQL kills connections

def _terminate_others() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def test_workers_database_connections_killed_mid_job_every_item_ends_once(live_worker):
    job = jobs.start_job("echo", _users("pk", 200), params={"chunk_size": 10, "sleep": 0.5})
    _wait(job, 60, until=lambda j: j.n_done >= 10)
    killed = 0
    for _ in range(3):  # three times, a second apart: chunk tasks retry on OperationalError
        job.refresh_from_db()
        if not job.is_active:
            break
        killed += _terminate_others()
        time.sleep(1.0)
    assert killed > 0, "no worker connection was open while the job ran"
    job = _wait(job, 120)
    assert job.status in (AIJob.Status.DONE, AIJob.Status.PARTIAL), (job.status, job.error_summary)
    _settled(job, 200)
    # Failing is allowed only with the engine's reason for giving up, never silently.
    for error in job.items.filter(status="failed").values_list("error", flat=True):
        assert "gave up after" in error or "worker lost" in error, error
    assert job.n_done >= 180, f"only {job.n_done} of 200 done: retries did not absorb the faults"


def test_connections_killed_while_job_is_being_started_and_dispatched(live_worker):
    """The database drops everyone's connection in bursts through the whole job, split into small chunks."""
    job = jobs.start_job("echo", _users("pb", 60), params={"chunk_size": 3, "sleep": 0.2})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        mine = cursor.fetchone()[0]  # the test's own connection polls the job: spare it
    stop = threading.Event()
    kills = []

    def killer():
        from django.db import connections

        try:
            while not stop.is_set():
                with connections["default"].cursor() as cursor:
                    cursor.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                   "WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> %s", [mine])
                    kills.append(cursor.fetchone()[0])
                stop.wait(1.5)
        finally:
            connections["default"].close()

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        _wait(job, 60, until=lambda j: j.n_done >= 45 or not j.is_active)
    finally:
        stop.set()
        thread.join(10)
    job = _wait(job, 120)
    assert sum(kills) > 0
    _settled(job, 60)
    assert AIJobItem.objects.filter(job=job, status="done").count() == job.n_done
