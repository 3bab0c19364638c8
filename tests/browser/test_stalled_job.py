"""Playwright drives Debian's chromium: a job whose worker vanished shows as stalled in the admin, with its
reason, once the stall check ran (the beat's task, called here), and one click resumes it."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import translation
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone

from tests.browser.test_admin_steps import _assert_translated, _label, _login, _shot, lang, page  # noqa: F401
from tests.killing import point_app_at, restore_env

pytestmark = [pytest.mark.browser]


@pytest.fixture
def stalled_job(transactional_db, tmp_path, lang):  # noqa: F811
    """A running job whose items last moved ten minutes ago; its messages go to a broker nobody reads."""
    from demo_shop.celery import app
    from ecom_ai.jobs import engine as jobs
    from ecom_ai.jobs import stalls
    from ecom_ai.jobs.models import AIJob, AIJobItem

    User = get_user_model()
    User.objects.create_superuser("manager", "m@example.com", "pw-manager-123")
    User.objects.bulk_create([User(username=f"st{i:03d}") for i in range(12)])
    previous = point_app_at("filesystem://", tmp_path)  # no worker: what the heal sends stays queued
    try:
        with translation.override(lang):  # started from the admin in that language: its reasons are written in it
            job = jobs.start_job("echo", User.objects.filter(username__startswith="st"), dispatch=False)
        then = timezone.now() - timedelta(minutes=10)
        first = list(job.items.values_list("pk", flat=True)[:4])
        AIJobItem.objects.filter(pk__in=first).update(status="running", claim="gone:host:1:x", claimed_at=then)
        AIJob.objects.filter(pk=job.pk).update(status="running", created_at=then, started_at=then, n_pending=8,
                                               n_running=4)
        with override_settings(ECOM_AI={"PIPELINES": {"echo": "tests.support.EchoPipeline"}, "STALL_TIMEOUT": 300,
                                        "CHUNK_TIME_LIMIT": 240}):
            assert stalls.heal_stalled() == [job.pk]  # the beat runs it in no language: the job's is used
        yield job
    finally:
        restore_env(previous)
        app.conf.task_always_eager = True


def test_admin_shows_a_stalled_job_and_resumes_it(page, stalled_job):  # noqa: F811
    _login(page)
    page.goto(page.base + "/admin/ecom_ai/aijob/")
    row = page.locator("#result_list tbody tr", has_text="echo")
    stalled = row.locator(".ecom-ai-stalled")
    assert stalled.inner_text().strip() == _label(page, "Stalled")
    reason = stalled.get_attribute("title")  # written in the language of whoever started the job: its numbers
    assert "300" in reason and "8" in reason and "4" in reason
    _assert_translated(page)
    _shot(page, "stalled-1-list")

    page.goto(page.base + f"/admin/ecom_ai/aijob/{stalled_job.pk}/change/")
    assert page.locator(".field-state_display .readonly").inner_text().strip() == _label(page, "Stalled")
    assert "300" in page.locator(".field-stall_reason .readonly").inner_text()
    _assert_translated(page)
    _shot(page, "stalled-2-job")

    page.goto(page.base + "/admin/ecom_ai/aijob/")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "resume_stalled_jobs")
    page.click("button[name=index]")
    page.locator("ul.messagelist li.success").wait_for()
    _shot(page, "stalled-3-resumed")
    stalled_job.refresh_from_db()
    assert not stalled_job.is_stalled and stalled_job.n_pending == 12 and stalled_job.n_running == 0
    assert _label(page, "Running") in page.locator("#result_list tbody tr", has_text="echo").inner_text()
