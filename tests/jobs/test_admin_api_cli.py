"""The job engine's faces: admin action helper, job pages, API, the ecom_ai command, system checks."""
import io
import json
import zipfile
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse

from ecom_ai.actions import JobActionsMixin, job_action
from ecom_ai.checks import check_settings
from ecom_ai.jobs.models import AIJob
from ecom_ai.jobs import engine as jobs

ROOT = Path(__file__).resolve().parents[2]


class _UserAdmin(JobActionsMixin, admin.ModelAdmin):
    actions = [job_action("echo", "Echo")]


@pytest.fixture
def echo_admin():
    site = admin.AdminSite(name="testsite")
    return _UserAdmin(get_user_model(), site)


def test_job_action_starts_a_job_and_needs_the_permission(rf, users, staff, echo_admin, django_capture_on_commit_callbacks):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.post("/")
    request.user = staff
    request.session = {}
    request._messages = FallbackStorage(request)
    assert "start_echo_job" in echo_admin.get_actions(request)
    with django_capture_on_commit_callbacks(execute=True):
        echo_admin.get_actions(request)["start_echo_job"][0](echo_admin, request, users[:7])
    job = AIJob.objects.get()
    assert job.n_items == 7 and job.requested_by == staff and job.status == "done"
    message = str(list(request._messages)[0])
    assert f"/admin/ecom_ai/aijob/{job.pk}/change/" in message

    nobody = get_user_model().objects.create_user("nobody", is_staff=True)
    request.user = nobody
    assert "start_echo_job" not in echo_admin.get_actions(request)


def test_job_pages_show_progress_and_errors(users, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job("echo", users[:5], params={"fail_ids": [users[0].pk]}, user=staff)
    client = Client()
    client.force_login(staff)
    listing = client.get(reverse("admin:ecom_ai_aijob_changelist"))
    assert listing.status_code == 200 and b"ecom-ai-progress" in listing.content
    page = client.get(reverse("admin:ecom_ai_aijob_change", args=[job.pk]))
    assert page.status_code == 200
    assert b"asked to fail" in page.content
    progress = client.get(reverse("admin:ecom_ai_aijob_progress", args=[job.pk])).json()
    assert progress["done"] == 4 and progress["failed"] == 1 and progress["active"] is False


def test_running_job_page_polls_and_admin_actions_need_post_and_permission(users, staff):
    job = jobs.start_job("echo", users[:3], dispatch=False, user=staff)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    page = client.get(reverse("admin:ecom_ai_aijob_change", args=[job.pk]))
    assert b"job_progress.js" in page.content
    # without the CSRF token the cancel action is refused
    response = client.post(reverse("admin:ecom_ai_aijob_changelist"),
                           {"action": "cancel_jobs", "_selected_action": [job.pk]})
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.status == "queued"
    client = Client()
    client.force_login(staff)
    client.post(reverse("admin:ecom_ai_aijob_changelist"), {"action": "cancel_jobs", "_selected_action": [job.pk]})
    job.refresh_from_db()
    assert job.status == "cancelled"


def test_error_text_is_escaped_on_the_job_page(users, staff):
    job = jobs.start_job("echo", users[:1], dispatch=False, user=staff)
    job.items.update(status="failed", error="<script>alert(1)</script>")
    AIJob.objects.filter(pk=job.pk).update(n_pending=0, n_failed=1, status="failed",
                                           error_summary="<script>alert(2)</script>")
    client = Client()
    client.force_login(staff)
    page = client.get(reverse("admin:ecom_ai_aijob_change", args=[job.pk])).content.decode()
    assert "<script>alert(" not in page and "&lt;script&gt;alert(1)" in page


def test_api_shows_users_only_their_own_jobs(users):
    User = get_user_model()
    alice = User.objects.create_user("alice", password="pw-alice-123")
    bob = User.objects.create_user("bob", password="pw-bob-123")
    job = jobs.start_job("echo", users[:2], dispatch=False, user=alice)
    client = Client()
    client.force_login(alice)
    assert client.get("/api/ecom-ai/jobs/").json()["count"] == 1
    detail = client.get(f"/api/ecom-ai/jobs/{job.pk}/").json()
    assert detail["n_items"] == 2 and detail["status"] == "queued" and detail["failed_items"] == []
    client.force_login(bob)
    assert client.get(f"/api/ecom-ai/jobs/{job.pk}/").status_code == 404
    assert client.get("/api/ecom-ai/jobs/").json()["count"] == 0
    assert client.post("/api/ecom-ai/jobs/", {}).status_code in (403, 405)
    client.logout()
    assert client.get("/api/ecom-ai/jobs/").status_code in (401, 403)


def test_openapi_schema_is_served(staff):
    client = Client()
    client.force_login(staff)
    response = client.get("/api/ecom-ai/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/ecom-ai/jobs/" in json.loads(response.content)["paths"]


def test_command_runs_sync_and_lists_jobs(users):
    """--sync needs no worker."""
    out = io.StringIO()
    call_command("ecom_ai", "run", "echo", "--ids", ",".join(str(u.pk) for u in users[:4]),
                 "--param", "tokens=2", "--sync", stdout=out)
    assert "done: 4 done, 0 failed" in out.getvalue()
    out = io.StringIO()
    call_command("ecom_ai", "jobs", stdout=out)
    assert "echo" in out.getvalue()
    with pytest.raises(CommandError, match="Unknown job kind"):
        call_command("ecom_ai", "run", "nope", "--all")
    with pytest.raises(CommandError, match="No job"):
        call_command("ecom_ai", "cancel", "999999")


@pytest.mark.django_db(transaction=True)
def test_command_wait_follows_a_job_to_its_end():
    User = get_user_model()
    User.objects.bulk_create([User(username=f"w{i}") for i in range(30)])
    out = io.StringIO()
    # autocommit: the job is enqueued at once and the eager task runs it before the wait starts
    call_command("ecom_ai", "run", "echo", "--all", "--wait", "--timeout", "30", stdout=out)
    assert "done: 30 done" in out.getvalue()


@pytest.mark.parametrize("value, error_id", [
    ("not a dict", "ecom_ai.E001"),
    ({"SHOP_ADAPTER": "no.such.Adapter"}, "ecom_ai.E002"),
    ({"BACKENDS": {"default": {"BACKEND": "no.such.Backend"}}}, "ecom_ai.E004"),
    ({"BACKENDS": {"default": "oops"}}, "ecom_ai.E003"),
    ({"FEATURES": {"inquiry_reply": "missing"}}, "ecom_ai.E005"),
    ({"PIPELINES": {"x": "no.such.Pipeline"}}, "ecom_ai.E006"),
    ({"CHUNK_SIZE": 0}, "ecom_ai.E007"),
    ({"TYPO": 1}, "ecom_ai.W001"),
])
def test_system_checks_catch_bad_settings(value, error_id):
    with override_settings(ECOM_AI=value):
        assert error_id in {e.id for e in check_settings()}


def test_missing_broker_is_a_check_error():
    with override_settings(CELERY_BROKER_URL=None, CELERY_TASK_ALWAYS_EAGER=False):
        assert "ecom_ai.E008" in {e.id for e in check_settings()}


def test_default_settings_pass_the_checks():
    assert [e for e in check_settings() if e.level >= 40] == []


def test_migrations_are_complete(db):
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.slow
def test_pip_install_ships_migrations_templates_and_translations(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("ecom_ai-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "ecom_ai/migrations/0001_initial.py" in names
    assert "ecom_ai/templates/admin/ecom_ai/aijob/change_form.html" in names
    assert "ecom_ai/locale/zh_Hans/LC_MESSAGES/django.mo" in names
    assert not any(n.startswith(("demo_shop/", "tests/")) for n in names)
