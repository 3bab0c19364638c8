"""Admin: list and filters, "Draft AI replies", the compare/edit/approve/send page, CSRF, permissions, escaping."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from ecom_ai.jobs.models import AIJob
from ecom_ai.inquiries.models import ApprovedReply, Inquiry, ReplyDraft
from ecom_ai.jobs import engine as jobs


@pytest.fixture
def inquiry(shop):
    inq = Inquiry.objects.create(user=shop["alice_user"], customer_id=shop["alice"].pk, text="这个手机的电池容量是多少？",
                                 product_id=shop["phone"].pk)
    jobs.run_job_sync(jobs.start_job("inquiry_reply", [inq], dispatch=False))
    inq.refresh_from_db()
    return inq


@pytest.fixture
def admin_client(staff_user):
    c = Client()
    c.force_login(staff_user)
    return c


def test_changelist_with_filters(admin_client, inquiry):
    url = reverse("admin:ecom_ai_inquiry_changelist")
    for query in ("", "?status__exact=drafted", "?intent__exact=product", "?handover=yes", "?handover=no", "?q=电池"):
        r = admin_client.get(url + query)
        assert r.status_code == 200, query
    assert "电池容量" in admin_client.get(url + "?handover=no").content.decode()
    assert "电池容量" not in admin_client.get(url + "?handover=yes").content.decode()


def test_draft_ai_replies_action_starts_a_job(admin_client, shop, django_capture_on_commit_callbacks):
    inq = Inquiry.objects.create(user=shop["alice_user"], customer_id=shop["alice"].pk, text="我的快递到哪了？")
    with django_capture_on_commit_callbacks(execute=True):
        r = admin_client.post(reverse("admin:ecom_ai_inquiry_changelist"),
                              {"action": "start_inquiry_reply_job", "_selected_action": [inq.pk]})
    assert r.status_code == 302
    job = AIJob.objects.get(kind="inquiry_reply")
    inq.refresh_from_db()
    assert job.status == "done" and inq.status == "drafted" and "SF123456789012" in inq.latest_draft.text


def test_compare_edit_approve_and_send(admin_client, inquiry):
    url = reverse("admin:ecom_ai_inquiry_reply", args=[inquiry.pk])
    page = admin_client.get(url).content.decode()
    draft = inquiry.latest_draft
    assert "5500mAh" in page and f"product:{inquiry.product_id}#battery_capacity" in page and "电池容量" in page
    r = admin_client.post(url, {"action": "approve", "text": draft.text + " 有问题随时找我们。"})
    assert r.status_code == 302
    draft.refresh_from_db()
    inquiry.refresh_from_db()
    assert inquiry.status == "approved" and draft.approved_by.username == "staffer" and draft.edited_text.endswith("找我们。")
    assert ApprovedReply.objects.get().reply == draft.edited_text
    assert admin_client.post(url, {"action": "send"}).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "sent" and inquiry.sent_at


def test_send_before_approval_is_refused_with_a_message(admin_client, inquiry):
    url = reverse("admin:ecom_ai_inquiry_reply", args=[inquiry.pk])
    r = admin_client.post(url, {"action": "send"}, follow=True)
    assert "Approve a reply before sending it." in r.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.status == "drafted"


def test_csrf_is_enforced(staff_user, inquiry):
    c = Client(enforce_csrf_checks=True)
    c.force_login(staff_user)
    url = reverse("admin:ecom_ai_inquiry_reply", args=[inquiry.pk])
    assert c.post(url, {"action": "approve", "text": "好的"}).status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.status == "drafted"
    page = c.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert c.post(url, {"action": "approve", "text": "好的", "csrfmiddlewaretoken": token}).status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == "approved"


def test_approving_needs_the_reply_permission(inquiry):
    user = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_inquiry", "view_replydraft"]))
    c = Client()
    c.force_login(user)
    url = reverse("admin:ecom_ai_inquiry_reply", args=[inquiry.pk])
    page = c.get(url)
    assert page.status_code == 200 and 'value="approve"' not in page.content.decode()
    assert c.post(url, {"action": "approve", "text": "好的"}).status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.status == "drafted"
    nobody = get_user_model().objects.create_user("nobody", password="x", is_staff=True)
    c.force_login(nobody)
    assert c.get(url).status_code == 403


def test_customer_and_model_text_render_inert(admin_client, shop):
    inq = Inquiry.objects.create(user=shop["alice_user"], customer_id=shop["alice"].pk, text="<script>alert('q')</script>能退吗")
    ReplyDraft.objects.create(inquiry=inq, text="<script>alert('d')</script>您好", check_ok=False,
                              check_reasons=["<img src=x onerror=alert(1)>"],
                              facts=[{"key": "name", "value": "<b>evil</b>", "source": "product:1", "label": "<i>x</i>"}])
    page = admin_client.get(reverse("admin:ecom_ai_inquiry_reply", args=[inq.pk])).content.decode()
    assert "<script>alert(" not in page and "<img src=x" not in page and "<b>evil</b>" not in page
    assert "&lt;script&gt;alert(&#x27;q&#x27;)" in page and "&lt;script&gt;alert(&#x27;d&#x27;)" in page
    listing = admin_client.get(reverse("admin:ecom_ai_inquiry_changelist")).content.decode()
    assert "<script>alert(" not in listing
    assert admin_client.get(reverse("admin:ecom_ai_inquiry_change", args=[inq.pk])).status_code == 200


def test_unknown_inquiry_is_404(admin_client, db):
    assert admin_client.get(reverse("admin:ecom_ai_inquiry_reply", args=[424242])).status_code == 404


def test_draft_action_skips_sent_and_running_inquiries_and_says_so(admin_client, shop, django_capture_on_commit_callbacks):
    ask = lambda text, **kw: Inquiry.objects.create(user=shop["alice_user"], customer_id=shop["alice"].pk, text=text, **kw)  # noqa: E731
    sent = [ask("电池多大？", status=Inquiry.Status.SENT) for _ in range(2)]
    running_job = AIJob.objects.create(kind="inquiry_reply", status=AIJob.Status.RUNNING)
    busy = ask("屏幕多大？", job=running_job)
    fresh = ask("我的快递到哪了？")
    with django_capture_on_commit_callbacks(execute=True):
        r = admin_client.post(reverse("admin:ecom_ai_inquiry_changelist"),
                              {"action": "start_inquiry_reply_job", "_selected_action": [i.pk for i in (*sent, busy, fresh)]},
                              follow=True)
    text = " ".join(str(m) for m in r.context["messages"])
    assert "2 inquiries already approved or sent, skipped." in text
    assert "1 inquiry is being drafted already, skipped." in text
    assert "over 1 inquiry" in text
    job = AIJob.objects.exclude(pk=running_job.pk).get()
    assert list(job.items.values_list("target_id", flat=True)) == [str(fresh.pk)]
    assert all(Inquiry.objects.get(pk=i.pk).status == Inquiry.Status.SENT for i in sent)


def test_a_sent_reply_is_read_only(admin_client, inquiry):
    url = reverse("admin:ecom_ai_inquiry_reply", args=[inquiry.pk])
    admin_client.post(url, {"action": "approve_send", "text": inquiry.latest_draft.text})
    page = admin_client.get(url).content.decode()
    assert "<textarea" not in page and 'value="approve"' not in page and "5500mAh" in page
    r = admin_client.post(url, {"action": "approve", "text": "改一下"}, follow=True)
    assert "already sent" in " ".join(str(m) for m in r.context["messages"])
    assert inquiry.latest_draft.final_text != "改一下"


def test_reply_page_buttons_look_like_admin_buttons(admin_client, inquiry):
    page = admin_client.get(reverse("admin:ecom_ai_inquiry_reply", args=[inquiry.pk])).content.decode()
    buttons = re.findall(r'<button[^>]*name="action"[^>]*>', page)  # ours, not the admin's own header buttons
    assert len(buttons) >= 3 and all('class="button' in b for b in buttons)
