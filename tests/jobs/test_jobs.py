"""The job engine on the test database: exactly-once items, retries, budgets, cancels."""
import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from ecom_ai.jobs.models import AIJob, AIJobItem
from ecom_ai.jobs import engine as jobs


def _entries_per_user(job):
    return dict(LogEntry.objects.filter(object_repr=f"echo job {job.pk}").values_list("object_id")
                .annotate(n=Count("id")).values_list("object_id", "n"))


def _assert_consistent(job):
    job.refresh_from_db()
    counts = dict(job.items.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    assert job.n_pending == counts.get("pending", 0)
    assert job.n_running == counts.get("running", 0)
    assert job.n_done == counts.get("done", 0)
    assert job.n_failed == counts.get("failed", 0)
    assert job.n_items == sum(counts.values())


def test_job_of_200_items_runs_each_item_once(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job("echo", users, params={"tokens": 3, "chunk_size": 30})
    job.refresh_from_db()
    assert job.status == AIJob.Status.DONE
    assert job.n_done == 200 and job.n_failed == 0 and job.progress == 100
    assert job.tokens_in == job.tokens_out == 600
    per_user = _entries_per_user(job)
    assert len(per_user) == 200 and set(per_user.values()) == {1}
    assert job.finished_at and job.wall_time_s is not None
    assert not AIJobItem.objects.filter(job=job).exclude(result_id="").filter(result_type__isnull=True).exists()
    _assert_consistent(job)


def test_nothing_is_enqueued_when_the_transaction_rolls_back(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                jobs.start_job("echo", users[:5])
                raise RuntimeError("boom")
    assert callbacks == []
    assert not AIJob.objects.exists()


def test_start_job_query_count_does_not_grow_with_targets(users):
    def count(n):
        with CaptureQueriesContext(connection) as ctx:
            jobs.start_job("echo", users.filter(pk__in=list(users.values_list("pk", flat=True)[:n])), dispatch=False)
        return len(ctx.captured_queries)

    assert count(5) == count(200)


def test_failures_are_reported_and_retried(users, django_capture_on_commit_callbacks):
    bad = [u.pk for u in users[:3]]
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job("echo", users[:20], params={"fail_ids": bad})
    job.refresh_from_db()
    assert job.status == AIJob.Status.PARTIAL and job.n_failed == 3 and job.n_done == 17
    assert "asked to fail" in job.error_summary
    assert set(job.items.filter(status="failed").values_list("target_id", flat=True)) == {str(pk) for pk in bad}
    AIJob.objects.filter(pk=job.pk).update(params={})
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.retry_failed(job) == 3
    job.refresh_from_db()
    assert job.status == AIJob.Status.DONE and job.n_done == 20
    assert set(_entries_per_user(job).values()) == {1}
    _assert_consistent(job)


def test_a_chunk_delivered_twice_writes_nothing_twice(users):
    job = jobs.start_job("echo", users[:10], dispatch=False)
    ids = list(job.items.values_list("pk", flat=True))
    jobs.run_chunk(job.pk, ids, task_id="task-a")
    jobs.run_chunk(job.pk, ids, task_id="task-a")   # redelivered after success
    jobs.run_chunk(job.pk, ids, task_id="task-b")   # dispatched twice
    job.refresh_from_db()
    assert job.status == AIJob.Status.DONE
    assert set(_entries_per_user(job).values()) == {1} and len(_entries_per_user(job)) == 10
    _assert_consistent(job)


def test_redelivery_after_a_dead_worker_takes_over_its_items(users):
    job = jobs.start_job("echo", users[:10], dispatch=False)
    ids = list(job.items.values_list("pk", flat=True))
    dead = jobs.make_claim("task-x")
    jobs.claim_items(job.pk, ids, "task-x", dead)            # the worker dies here
    jobs.run_chunk(job.pk, ids, task_id="task-x")            # the broker redelivers the message
    job.refresh_from_db()
    assert job.status == AIJob.Status.DONE and job.n_done == 10
    assert set(job.items.values_list("attempts", flat=True)) == {2}
    # another task never steals items that a live delivery holds
    job2 = jobs.start_job("echo", users[10:15], dispatch=False)
    ids2 = list(job2.items.values_list("pk", flat=True))
    jobs.claim_items(job2.pk, ids2, "task-y", jobs.make_claim("task-y"))
    jobs.run_chunk(job2.pk, ids2, task_id="task-z")
    assert job2.items.filter(status="running").count() == 5
    _assert_consistent(job)
    _assert_consistent(job2)


def test_an_item_whose_worker_keeps_dying_fails_with_a_reason(users, settings):
    settings.ECOM_AI = {**settings.ECOM_AI, "MAX_ITEM_ATTEMPTS": 2}
    job = jobs.start_job("echo", users[:2], dispatch=False)
    ids = list(job.items.values_list("pk", flat=True))
    jobs.claim_items(job.pk, ids, "t", jobs.make_claim("t"))
    jobs.claim_items(job.pk, ids, "t", jobs.make_claim("t"))
    jobs.run_chunk(job.pk, ids, task_id="t")
    job.refresh_from_db()
    assert job.status == AIJob.Status.FAILED and job.n_failed == 2
    assert "worker lost 2 times" in job.items.first().error
    _assert_consistent(job)


def test_a_result_is_discarded_when_the_claim_was_taken_over(users):
    from ecom_ai.jobs.pipeline import get_pipeline

    job = jobs.start_job("echo", users[:1], dispatch=False)
    ids = list(job.items.values_list("pk", flat=True))
    old = jobs.make_claim("t")
    items = jobs.claim_items(job.pk, ids, "t", old)
    AIJobItem.objects.filter(pk__in=ids).update(claim=jobs.make_claim("t"))  # a redelivery took it over
    pipeline = get_pipeline("echo")
    unit = pipeline.collect(job, items)[0]
    jobs.settle(job, pipeline, unit, old)
    assert not LogEntry.objects.exists()
    assert AIJobItem.objects.get(pk=ids[0]).status == "running"


def test_token_budget_stops_the_job_cleanly_and_resume_finishes(users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job("echo", users[:20], params={"tokens": 5, "chunk_size": 5}, token_budget=40)
    job.refresh_from_db()
    assert job.status == AIJob.Status.BUDGET_SPENT
    assert job.n_done == 5 and job.n_pending == 15 and "budget" in job.error_summary
    with django_capture_on_commit_callbacks(execute=True):
        jobs.retry_failed(job, token_budget=10_000)
    job.refresh_from_db()
    assert job.status == AIJob.Status.DONE and job.n_done == 20
    _assert_consistent(job)


def test_cancel_stops_pending_work(users):
    job = jobs.start_job("echo", users[:10], dispatch=False)
    assert jobs.cancel(job)
    jobs.run_chunk(job.pk, list(job.items.values_list("pk", flat=True)), task_id="t")
    job.refresh_from_db()
    assert job.status == AIJob.Status.CANCELLED and job.n_done == 0 and job.n_pending == 10
    assert not jobs.cancel(job)


def test_a_vanished_target_fails_its_item_only(users, django_capture_on_commit_callbacks):
    job = jobs.start_job("echo", users[:5], dispatch=False)
    users[0].delete()
    jobs.run_job_sync(job)
    job.refresh_from_db()
    assert job.n_done == 4 and job.n_failed == 1
    assert job.items.get(status="failed").error == "target no longer exists"


def test_wrong_target_model_and_empty_selection_are_refused(users):
    from ecom_ai.jobs.models import AIJob as Other

    with pytest.raises(jobs.JobError, match="takes auth.User rows"):
        jobs.start_job("echo", Other.objects.all())
    with pytest.raises(jobs.JobError, match="at least one"):
        jobs.start_job("echo", users.none())
    from ecom_ai.jobs.pipeline import UnknownJobKind

    with pytest.raises(UnknownJobKind):
        jobs.start_job("nope", users)


def test_recover_stale_requeues_orphans(users, django_capture_on_commit_callbacks):
    job = jobs.start_job("echo", users[:4], dispatch=False)
    ids = list(job.items.values_list("pk", flat=True))
    jobs.claim_items(job.pk, ids, "gone", jobs.make_claim("gone"))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover_stale(older_than_s=-1) == 4
    job.refresh_from_db()
    assert job.status == AIJob.Status.DONE and job.n_done == 4
