"""Admin actions start jobs only on a POST with the CSRF token by staff holding ``ecom_ai.run_aijob``;
the reply page's approve/send needs ``ecom_ai.reply_inquiry``; job retry/cancel need ``run_aijob``."""
from __future__ import annotations

import re

import pytest
from django.test import Client

from ecom_ai.jobs.models import AIJob
from ecom_ai.inquiries.models import Inquiry, ReplyDraft
from ecom_ai.jobs import engine as jobs

ACTIONS = [  # (changelist, action name, fixture key of a selectable row)
    ("/admin/ecom_ai/inquiry/", "start_inquiry_reply_job", "alice_inquiry"),
    ("/admin/demo_shop/customer/", "start_recommendations_job", "alice"),
    ("/admin/demo_shop/product/", "start_feedback_summary_job", "phone"),
]


def _client(user, csrf=True):
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _token(client, url):
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)


@pytest.mark.parametrize("url, action, key", ACTIONS)
def test_action_starts_a_job_only_on_post_with_csrf_token(url, action, key, shop, staff, django_capture_on_commit_callbacks):
    client = _client(staff)
    pk = shop[key].pk
    data = {"action": action, "_selected_action": [pk], "index": 0}
    # GET with the action's parameters: nothing happens
    assert client.get(url, data).status_code in (200, 302)
    assert not AIJob.objects.exists()
    # POST without the token: refused
    assert client.post(url, data).status_code == 403
    assert not AIJob.objects.exists()
    # POST with a wrong token: refused
    assert client.post(url, {**data, "csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert not AIJob.objects.exists()
    # POST with the token: one job over the selected row
    token = _token(client, url)
    assert action in client.get(url).content.decode(), "the action is offered to staff holding run_aijob"
    with django_capture_on_commit_callbacks(execute=False):
        r = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert r.status_code == 302
    job = AIJob.objects.get()
    assert job.requested_by == staff and list(job.items.values_list("target_id", flat=True)) == [str(pk)]


@pytest.mark.parametrize("url, action, key", ACTIONS)
def test_action_needs_the_run_permission(url, action, key, shop, viewer):
    client = _client(viewer)
    token = _token(client, url)
    assert action not in client.get(url).content.decode(), "the action is not even offered"
    r = client.post(url, {"action": action, "_selected_action": [shop[key].pk], "index": 0, "csrfmiddlewaretoken": token})
    assert r.status_code in (200, 302, 403)
    assert not AIJob.objects.exists()


def test_job_retry_and_cancel_need_the_run_permission(shop, staff, viewer):
    job = jobs.start_job("echo", [shop["alice_user"]], user=staff, dispatch=False)
    url = "/admin/ecom_ai/aijob/"
    client = _client(viewer)
    token = _token(client, url)
    client.post(url, {"action": "cancel_jobs", "_selected_action": [job.pk], "index": 0, "csrfmiddlewaretoken": token})
    job.refresh_from_db()
    assert job.status == AIJob.Status.QUEUED, "a viewer cancelled a job"
    client = _client(staff)
    assert client.post(url, {"action": "cancel_jobs", "_selected_action": [job.pk], "index": 0}).status_code == 403
    token = _token(client, url)
    client.post(url, {"action": "cancel_jobs", "_selected_action": [job.pk], "index": 0, "csrfmiddlewaretoken": token})
    job.refresh_from_db()
    assert job.status == AIJob.Status.CANCELLED


def test_reply_approval_needs_post_csrf_and_the_reply_permission(shop, staff, viewer, django_capture_on_commit_callbacks):
    inquiry = shop["alice_inquiry"]
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.start_job("inquiry_reply", Inquiry.objects.filter(pk=inquiry.pk), dispatch=False)
    jobs.run_job_sync(job)
    draft = ReplyDraft.objects.get(inquiry=inquiry)
    url = f"/admin/ecom_ai/inquiry/{inquiry.pk}/reply/"
    # a viewer sees the page but holds no form and cannot approve
    client = _client(viewer)
    page = client.get(url)
    assert page.status_code == 200 and 'value="approve"' not in page.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    token = token.group(1) if token else client.cookies["csrftoken"].value
    r = client.post(url, {"action": "approve", "text": "hello", "csrfmiddlewaretoken": token})
    assert r.status_code == 403
    # staff without the token: refused
    client = _client(staff)
    assert client.post(url, {"action": "approve", "text": "hello"}).status_code == 403
    draft.refresh_from_db()
    assert draft.approved_at is None
    token = _token(client, url)
    assert client.post(url, {"action": "approve", "csrfmiddlewaretoken": token}).status_code == 302
    draft.refresh_from_db()
    assert draft.approved_by == staff
    # read-only admin pages: the job and the draft cannot be changed by a form post
    r = client.post(f"/admin/ecom_ai/replydraft/{draft.pk}/change/", {"text": "changed", "check_ok": "on", "csrfmiddlewaretoken": token})
    assert r.status_code in (403, 200)
    draft.refresh_from_db()
    assert draft.text != "changed"
    r = client.post(f"/admin/ecom_ai/aijob/{job.pk}/change/", {"status": "failed", "n_done": 0, "csrfmiddlewaretoken": token})
    job.refresh_from_db()
    assert job.status == AIJob.Status.DONE and job.n_done == 1
