"""Jobs through a real worker process on PostgreSQL and Redis (run in CI)."""
import time

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db.models import Count

from ecom_ai.jobs.models import AIJob
from ecom_ai.jobs import engine as jobs
from tests.live import live_worker  # noqa: F401  (fixture)

pytestmark = [pytest.mark.services, pytest.mark.slow]


def _users(n):
    User = get_user_model()
    User.objects.bulk_create([User(username=f"lw{i:04d}") for i in range(n)])
    return User.objects.filter(username__startswith="lw")


def _wait(job, timeout=120, until=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if (until(job) if until else not job.is_active):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} stuck: {job.status} done={job.n_done} running={job.n_running} "
                         f"pending={job.n_pending} failed={job.n_failed}")


def _once_each(job, n):
    per_target = dict(LogEntry.objects.filter(object_repr=f"echo job {job.pk}").values_list("object_id")
                      .annotate(c=Count("id")).values_list("object_id", "c"))
    assert len(per_target) == n, f"{len(per_target)} of {n} items have a result"
    assert set(per_target.values()) == {1}, "an item was written twice"


def test_200_items_through_a_live_worker_each_done_once(live_worker):
    job = jobs.start_job("echo", _users(200), params={"chunk_size": 20, "tokens": 2})
    job = _wait(job)
    assert job.status == AIJob.Status.DONE and job.n_done == 200 and job.n_failed == 0
    assert job.tokens_in == 400
    _once_each(job, 200)


def test_worker_killed_mid_job_then_restarted_loses_nothing(live_worker):
    job = jobs.start_job("echo", _users(200), params={"chunk_size": 10, "sleep": 0.4})
    _wait(job, 60, until=lambda j: j.n_done >= 30 and j.n_running > 0)  # kill while a chunk is in flight
    live_worker.kill()
    job.refresh_from_db()
    assert job.is_active and job.n_done < 200, "the kill came too late to test anything"
    assert job.n_running > 0, "no chunk was in flight when the worker died"
    live_worker.start()
    job = _wait(job, 180)
    assert job.status == AIJob.Status.DONE, job.error_summary
    assert job.n_done == 200 and job.n_failed == 0 and job.n_running == 0
    assert job.items.filter(attempts=2).exists(), "the dead worker's items were not redelivered"
    _once_each(job, 200)
