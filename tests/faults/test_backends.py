"""A backend that hangs, times out, fails or returns garbage: each item still ends done once (with a
draft that needs review when the text is bad) or failed with the reason; nothing is lost, and
retrying after the backend heals finishes the job without writing anything twice.

These run in the test process (Celery eager, retries included), so they need no services.
"""
from __future__ import annotations


import pytest
from django.db.models import Count

from ecom_ai.llm.base import BaseBackend, GenerationResult
from ecom_ai.jobs.models import AIJob
from ecom_ai.inquiries.models import Inquiry, ReplyDraft
from ecom_ai.jobs import engine as jobs

pytestmark = [pytest.mark.slow]


def _run(inquiries, capture):
    with capture(execute=True):
        job = jobs.start_job("inquiry_reply", Inquiry.objects.filter(pk__in=[i.pk for i in inquiries]))
    job.refresh_from_db()
    return job


def _settled(job):
    job.refresh_from_db()
    assert not job.is_active, job.status
    assert job.n_pending == job.n_running == 0 and job.n_done + job.n_failed == job.n_items
    assert job.items.filter(status="done").count() == job.n_done
    assert not job.items.filter(status="failed", error="").exists(), "an item failed without a reason"
    per_inquiry = dict(ReplyDraft.objects.filter(job=job).values_list("inquiry_id").annotate(c=Count("id")).values_list("inquiry_id", "c"))
    done = {int(t) for t in job.items.filter(status="done").values_list("target_id", flat=True)}
    assert set(per_inquiry) == done and set(per_inquiry.values()) <= {1}


@pytest.mark.parametrize("mode, reason", [("hang", "timed out"), ("http500", "HTTP 500")])
def test_unavailable_backend_fails_items_with_reason_after_retries_then_retry_finishes(
        mode, reason, inquiry_shop, fake_server, django_capture_on_commit_callbacks):
    fake_server.mode = mode
    job = _run(inquiry_shop["inquiries"], django_capture_on_commit_callbacks)
    assert job.status == AIJob.Status.FAILED and job.n_failed == 4
    assert fake_server.hits == 3 * 4, "4 requests: one try plus TASK_MAX_RETRIES=2 retries of the chunk"
    errors = set(job.items.values_list("error", flat=True))
    assert all("gave up after 2 retries" in e and reason in e for e in errors), errors
    assert "gave up" in job.error_summary
    assert not ReplyDraft.objects.exists()
    _settled(job)
    # the server heals; staff retry the failed items: each inquiry gets exactly one draft
    fake_server.mode = "ok"
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.retry_failed(job) == 4
    job.refresh_from_db()
    assert job.status == AIJob.Status.DONE and job.n_done == 4
    _settled(job)
    assert ReplyDraft.objects.count() == 4


@pytest.mark.parametrize("mode", ["garbage", "wrong_shape"])
def test_unparseable_answer_fails_items_with_reason_at_once(mode, inquiry_shop, fake_server, django_capture_on_commit_callbacks):
    fake_server.mode = mode
    job = _run(inquiry_shop["inquiries"], django_capture_on_commit_callbacks)
    assert job.status == AIJob.Status.FAILED and job.n_failed == 4
    assert fake_server.hits == 4, "a permanent error is not retried"
    assert all(e.startswith("generate:") and "unexpected body" in e for e in job.items.values_list("error", flat=True))
    _settled(job)
    assert not ReplyDraft.objects.exists()


@pytest.mark.parametrize("mode, reason", [("lies", "优惠"), ("empty", "empty")])
def test_bad_text_is_saved_for_review_never_as_good(mode, reason, inquiry_shop, fake_server, django_capture_on_commit_callbacks):
    fake_server.mode = mode
    job = _run(inquiry_shop["inquiries"], django_capture_on_commit_callbacks)
    assert job.status == AIJob.Status.DONE
    _settled(job)
    drafts = list(ReplyDraft.objects.filter(job=job))
    assert len(drafts) == 4
    for draft in drafts:
        assert not draft.check_ok and draft.needs_review, draft.text
        assert any(reason in r for r in draft.check_reasons), draft.check_reasons
    assert not Inquiry.objects.filter(status__in=[Inquiry.Status.APPROVED, Inquiry.Status.SENT]).exists()


# --------------------------------------------------------------------------- misbehaving in-process backends

class ShortBackend(BaseBackend):
    """Returns fewer results than requests."""

    def generate(self, requests):
        return [GenerationResult("星河X1手机的电池容量是5000mAh。", 1, 1, 1.0, "short", "stop")][: max(0, len(requests) - 2)]


class NoneTextBackend(BaseBackend):
    def generate(self, requests):
        return [GenerationResult(None, 1, 1, 1.0, "none", "stop") for _ in requests]


class CrashingBackend(BaseBackend):
    def generate(self, requests):
        raise RuntimeError("segfault-ish: CUDA error: device-side assert triggered")


class ErrorResultBackend(BaseBackend):
    def generate(self, requests):
        return [GenerationResult("", 0, 0, 1.0, "err", "error", error="model returned an error") for _ in requests]


@pytest.mark.parametrize("backend, expect", [
    ("ShortBackend", {"done": 1, "failed": 3}),
    ("NoneTextBackend", {"done": 0, "failed": 4}),
    ("CrashingBackend", {"done": 0, "failed": 4}),
    ("ErrorResultBackend", {"done": 0, "failed": 4}),
])
def test_in_process_backend_garbage_never_loses_or_doubles_an_item(backend, expect, inquiry_shop, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.ECOM_AI = {**settings.ECOM_AI, "BACKENDS": {
        "default": {"BACKEND": "ecom_ai.llm.grounded.GroundedBackend", "OPTIONS": {}},
        "bad": {"BACKEND": f"tests.faults.test_backends.{backend}", "OPTIONS": {}}},
        "FEATURES": {"inquiry_reply": "bad"}}
    job = _run(inquiry_shop["inquiries"], django_capture_on_commit_callbacks)
    _settled(job)
    assert (job.n_done, job.n_failed) == (expect["done"], expect["failed"]), list(job.items.values_list("status", "error"))
    for draft in ReplyDraft.objects.filter(job=job):
        assert draft.check_ok, draft.check_reasons  # the one real answer is fine


def test_recover_stale_redispatches_pending_items_whose_messages_were_lost(inquiry_shop, django_capture_on_commit_callbacks):
    """The broker lost the job's messages (e.g. Redis restarted): nothing moves, recover sends it again."""
    job = jobs.start_job("inquiry_reply", Inquiry.objects.all(), dispatch=False)  # as if the message vanished
    assert jobs.recover_stale(older_than_s=3600) == 0, "a young job is left alone"
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover_stale(older_than_s=-1) == 4
    job.refresh_from_db()
    assert job.status == AIJob.Status.DONE and job.n_done == 4
    _settled(job)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.recover_stale(older_than_s=-1) == 0, "a finished job is not sent again"
