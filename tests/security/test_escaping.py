"""Text a customer or a model wrote is escaped on every admin page that shows it: a ``<script>`` in a
question, a draft, a job error, a review, a summary or a recommendation reason renders inert."""
from __future__ import annotations

import pytest
from django.test import Client

from ecom_ai.jobs.models import AIJob
from ecom_ai.feedback.models import FeedbackSummary
from ecom_ai.inquiries.models import Inquiry, ReplyDraft
from ecom_ai.recommendations.models import RecommendationSet
from ecom_ai.jobs import engine as jobs

SCRIPT = '<script>alert("xss")</script>'
IMG = '<img src=x onerror=alert(1)>'
EVIL = f"{SCRIPT}{IMG}"


def _inert(html: str, where: str) -> None:
    assert "<script>alert(" not in html and "<img src=x onerror" not in html, f"raw markup on {where}"
    assert "&lt;script&gt;alert(" in html, f"the text is not shown (escaped) on {where}"


@pytest.fixture
def client(staff):
    c = Client()
    c.force_login(staff)
    return c


def test_inquiry_pages_escape_question_draft_and_reasons(shop, client):
    inquiry = Inquiry.objects.create(user=shop["alice_user"], customer_id=shop["alice"].pk, text=f"电池多大？{EVIL}",
                                     handover_reason=EVIL)
    ReplyDraft.objects.create(inquiry=inquiry, text=f"您好{EVIL}", check_ok=False, check_reasons=[EVIL], needs_review=True,
                              facts=[{"key": "name", "value": EVIL, "source": EVIL, "label": EVIL}], model_id=EVIL, backend=EVIL)
    for url in ("/admin/ecom_ai/inquiry/", f"/admin/ecom_ai/inquiry/{inquiry.pk}/change/",
                f"/admin/ecom_ai/inquiry/{inquiry.pk}/reply/", "/admin/ecom_ai/replydraft/"):
        r = client.get(url)
        assert r.status_code == 200, url
        _inert(r.content.decode(), url)


def test_job_page_escapes_item_errors_and_summary(shop, client, staff):
    job = jobs.start_job("echo", [shop["alice_user"]], user=staff, dispatch=False, params={"note": EVIL})
    job.items.update(status="failed", error=EVIL)
    AIJob.objects.filter(pk=job.pk).update(status="failed", n_pending=0, n_failed=1, error_summary=EVIL)
    for url in ("/admin/ecom_ai/aijob/", f"/admin/ecom_ai/aijob/{job.pk}/change/"):
        r = client.get(url)
        assert r.status_code == 200, url
        html = r.content.decode()
        assert "<script>alert(" not in html and "<img src=x onerror" not in html, url
    assert "&lt;script&gt;alert(" in client.get(f"/admin/ecom_ai/aijob/{job.pk}/change/").content.decode()


def test_feedback_summary_page_escapes_reviews_summary_themes_and_actions(shop, client, django_capture_on_commit_callbacks):
    from demo_shop.models import Review

    for text in (f"电池很耐用{SCRIPT}", f"物流太慢了{IMG}", f"屏幕清晰{SCRIPT}"):
        Review.objects.create(product=shop["phone"], customer=shop["alice"], rating=3, text=text)
    job = jobs.start_job("feedback_summary", [shop["phone"]], dispatch=False)
    jobs.run_job_sync(job)
    summary = FeedbackSummary.objects.get(product_id=shop["phone"].pk)
    FeedbackSummary.objects.filter(pk=summary.pk).update(
        text=f"{summary.text}{EVIL}", product_name=EVIL, check_reasons=[EVIL],
        actions=[{**a, "text": EVIL} for a in summary.actions] or [{"text": EVIL}],
        themes=[{**t, "label": EVIL, "label_en": EVIL} for t in summary.themes])
    for url in ("/admin/ecom_ai/feedbacksummary/", f"/admin/ecom_ai/feedbacksummary/{summary.pk}/change/"):
        r = client.get(url)
        assert r.status_code == 200, url
        _inert(r.content.decode(), url)


def test_recommendation_set_page_escapes_reasons(shop, client):
    rec = RecommendationSet.objects.create(
        customer_id=shop["alice"].pk, user=shop["alice_user"], model_version=EVIL, review_notes=EVIL,
        items=[{"product_id": shop["phone"].pk, "score": 0.9, "source": EVIL, "reason": f"适合您{EVIL}", "reason_ok": True},
               {"product_id": shop["book"].pk, "score": 0.5, "source": "popular", "reason": EVIL, "reason_ok": False}])
    for url in ("/admin/ecom_ai/recommendationset/", f"/admin/ecom_ai/recommendationset/{rec.pk}/change/"):
        r = client.get(url)
        assert r.status_code == 200, url
        html = r.content.decode()
        assert "<script>alert(" not in html and "<img src=x onerror" not in html, url
    _inert(client.get(f"/admin/ecom_ai/recommendationset/{rec.pk}/change/").content.decode(), "recommendation set")


def test_campaign_page_escapes_copy_and_reasons(shop, client):
    try:
        from ecom_ai.campaigns.models import Campaign, CampaignCopy
    except ImportError:
        pytest.skip("the campaigns feature is not in this tree")
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() + timedelta(days=1)
    campaign = Campaign.objects.create(name=f"大促{EVIL}", kind="flash_sale", starts_at=start, ends_at=start + timedelta(days=1),
                                       language="both", product_ids=[shop["phone"].pk], sale_price="1799", stock_cap=5,
                                       per_customer_limit=1)
    CampaignCopy.objects.create(campaign=campaign, channel="push", language="zh", variant=0, status="needs_review",
                                text=f"限时秒杀{EVIL}", reasons=[EVIL])
    for url in ("/admin/ecom_ai/campaign/", f"/admin/ecom_ai/campaign/{campaign.pk}/change/", "/admin/ecom_ai/campaigncopy/"):
        r = client.get(url)
        assert r.status_code == 200, url
        _inert(r.content.decode(), url)
