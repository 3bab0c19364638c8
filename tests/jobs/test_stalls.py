"""Stalled jobs: marked with a reason once their items stop moving, healed once, resumed by staff;
shown as stalled in the admin, the API and ``ecom_ai jobs``; ``ecom_ai health``."""
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from ecom_ai.jobs import engine as jobs
from ecom_ai.jobs import stalls
from ecom_ai.jobs.models import AIJob, AIJobItem

QUICK = {"STALL_TIMEOUT": 60, "CHUNK_TIME_LIMIT": 0}


def _stuck_job(users, *, n=30, running=10, idle_s=600):
    """A job whose items last moved ``idle_s`` ago: ``running`` of them claimed by a worker that vanished."""
    job = jobs.start_job("echo", users[:n], dispatch=False)
    then = timezone.now() - timedelta(seconds=idle_s)
    ids = list(job.items.values_list("pk", flat=True)[:running])
    AIJobItem.objects.filter(pk__in=ids).update(status="running", claim="gone:host:1:x", claimed_at=then, attempts=1)
    AIJob.objects.filter(pk=job.pk).update(status="running", created_at=then, started_at=then,
                                           n_pending=n - running, n_running=running)
    job.refresh_from_db()
    return job


@override_settings(ECOM_AI={"PIPELINES": {"echo": "tests.support.EchoPipeline"}, **QUICK})
def test_a_job_that_stops_moving_is_marked_once_requeued_once_and_heals(users, django_capture_on_commit_callbacks):
    job = _stuck_job(users)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert stalls.heal_stalled() == [job.pk]
        assert stalls.heal_stalled() == [], "a stalled job is marked and queued again only once"
    assert len(sent) == 1
    job.refresh_from_db()
    assert job.is_stalled and job.state == "stalled" and job.status == "running"
    assert "20 pending, 10 running" in job.stall_reason
    assert job.n_pending == 30 and job.n_running == 0
    assert not job.items.filter(status="running").exists()
    sent[0]()  # the message reaches a worker (eager here): the job moves, finishes, is no longer stalled
    job.refresh_from_db()
    assert job.status == "done" and job.n_done == 30 and not job.is_stalled and job.stall_reason == ""
    assert job.items.filter(attempts=2).count() == 10


@override_settings(ECOM_AI={"PIPELINES": {"echo": "tests.support.EchoPipeline"}, "STALL_TIMEOUT": 60,
                            "CHUNK_TIME_LIMIT": 600})
def test_a_slow_chunk_is_not_a_stall_until_its_hard_time_limit(users):
    assert stalls.stall_limits() == (60.0, 660.0)
    slow = _stuck_job(users, n=5, running=5, idle_s=300)
    assert list(stalls.stalled_candidates()) == [], "running under a live claim: not stalled"
    AIJobItem.objects.filter(job=slow).update(claimed_at=timezone.now() - timedelta(seconds=700))
    assert list(stalls.stalled_candidates()) == [slow]


@override_settings(ECOM_AI={"PIPELINES": {"echo": "tests.support.EchoPipeline"}, **QUICK})
def test_a_job_that_moved_recently_or_has_nothing_left_is_not_stalled(users):
    moving = _stuck_job(users, n=10, running=2)
    item = moving.items.filter(status="pending").first()
    AIJobItem.objects.filter(pk=item.pk).update(status="done", finished_at=timezone.now())
    assert list(stalls.stalled_candidates()) == []
    AIJobItem.objects.filter(pk=item.pk).update(finished_at=timezone.now() - timedelta(seconds=120))
    assert list(stalls.stalled_candidates()) == [moving]
    AIJobItem.objects.filter(job=moving).update(status="done")
    AIJob.objects.filter(pk=moving.pk).update(n_pending=0, n_running=0, n_done=10)
    assert list(stalls.stalled_candidates()) == [], "nothing left to do: not stalled"


@override_settings(ECOM_AI={"PIPELINES": {"echo": "tests.support.EchoPipeline"}, "STALL_TIMEOUT": 0})
def test_a_stall_timeout_of_zero_is_refused(db):
    with pytest.raises(ValueError, match="STALL_TIMEOUT"):
        stalls.stall_limits()


@override_settings(ECOM_AI={"PIPELINES": {"echo": "tests.support.EchoPipeline"}, **QUICK})
def test_stalled_job_shows_in_api_and_command_and_staff_resume_it_with_one_post(users, staff,
                                                                                 django_capture_on_commit_callbacks):
    job = _stuck_job(users)
    with django_capture_on_commit_callbacks(execute=False):
        stalls.heal_stalled()
    client = Client()
    client.force_login(staff)
    data = client.get(f"/api/ecom-ai/jobs/{job.pk}/").json()
    assert data["state"] == "stalled" and data["stalled"] is True and data["status"] == "running"
    assert "No item moved" in data["stall_reason"]

    out = io.StringIO()
    call_command("ecom_ai", "jobs", "--status", "stalled", stdout=out)
    assert f"{job.pk:>6}  echo" in out.getvalue() and "stalled" in out.getvalue() and "No item moved" in out.getvalue()

    changelist = reverse("admin:ecom_ai_aijob_changelist")
    page = client.get(changelist).content.decode()
    assert 'class="ecom-ai-stalled"' in page and "Stalled" in page

    # GET runs no action; a staff member without the run permission gets no resume action
    client.get(changelist, {"action": "resume_stalled_jobs", "_selected_action": [job.pk]})
    job.refresh_from_db()
    assert job.is_stalled
    viewer = get_user_model().objects.create_user("viewer", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_aijob"))
    other = Client()
    other.force_login(viewer)
    other.post(changelist, {"action": "resume_stalled_jobs", "_selected_action": [job.pk]})
    job.refresh_from_db()
    assert job.is_stalled

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "resume_stalled_jobs", "_selected_action": [job.pk]}, follow=True)
    assert "1 stalled job resumed." in response.content.decode()
    job.refresh_from_db()
    assert job.status == "done" and not job.is_stalled
    assert stalls.resume(job) == 0, "a job that is not stalled is not resumed"


def test_health_fails_without_a_worker_and_with_an_unreachable_broker(db, monkeypatch):
    from demo_shop.celery import app

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("ecom_ai", "health", "--interval", "0", "--timeout", "0.5", stdout=out, stderr=err)
    assert exited.value.code == 1
    assert "OK   database" in out.getvalue() and "OK   broker" in out.getvalue()
    assert "FAIL workers: no worker answered" in err.getvalue()

    old = app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")  # Celery reads it before its settings
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        err = io.StringIO()
        with pytest.raises(SystemExit):
            call_command("ecom_ai", "health", "--interval", "0", "--timeout", "0.5", stdout=io.StringIO(), stderr=err)
    finally:
        app.conf.broker_url = old
    assert "FAIL broker: unreachable at redis://" in err.getvalue() and "127.0.0.1:1" in err.getvalue()
