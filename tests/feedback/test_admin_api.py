"""Admin pages and the API of feedback summaries."""
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from demo_shop.models import Product
from ecom_ai.actions import summarise_feedback_action
from ecom_ai.jobs.models import AIJob
from ecom_ai.feedback.models import FeedbackAspect, FeedbackSummary
from ecom_ai.feedback import services as service

from .conftest import make_review


@pytest.fixture
def summary(shop):
    make_review(shop["phone"], 1, '<script>alert("x")</script>包装破损了', 2)  # cited under packaging
    return service.summarise(product_id=shop["phone"].pk)


def test_admin_change_page_shows_paragraph_themes_actions_and_svg(client, staff_user, summary):
    client.force_login(staff_user)
    page = client.get(reverse("admin:ecom_ai_feedbacksummary_change", args=[summary.pk])).content.decode()
    assert "<svg" in page and "<rect" in page and "<polyline" in page
    assert "物流" in page and "→" in page and f"[#{summary.themes[0]['cited_ids'][0]}]" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    listing = client.get(reverse("admin:ecom_ai_feedbacksummary_changelist") + "?status=good").content.decode()
    assert "星河X1手机" in listing


def test_admin_action_summarise_again_starts_a_job(client, staff_user, summary, django_capture_on_commit_callbacks):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:ecom_ai_feedbacksummary_changelist"),
                               {"action": "summarise_again", "_selected_action": [summary.pk]}, follow=True)
    assert response.status_code == 200
    job = AIJob.objects.get(kind="feedback_summary")
    assert job.status == AIJob.Status.DONE and FeedbackSummary.objects.filter(job=job).count() == 1


def test_product_action_is_a_job_action(rf, staff_user, shop, django_capture_on_commit_callbacks):
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage

    from ecom_ai.actions import JobActionsMixin

    class ProductAdmin(JobActionsMixin, admin.ModelAdmin):
        actions = [summarise_feedback_action]

    request = rf.post("/")
    request.user = staff_user
    request.session = {}
    request._messages = FallbackStorage(request)
    model_admin = ProductAdmin(Product, admin.site)
    assert "start_feedback_summary_job" in model_admin.get_actions(request)
    with django_capture_on_commit_callbacks(execute=True):
        summarise_feedback_action(model_admin, request, Product.objects.all())
    job = AIJob.objects.get(kind="feedback_summary")
    assert job.n_items == 2 and job.status == AIJob.Status.DONE and FeedbackSummary.objects.count() == 2


def test_api_product_summary(shop, summary, staff_user):
    api = APIClient()
    url = reverse("ecom_ai_api:product-feedback", args=[shop["phone"].pk])
    assert api.get(url).status_code in (401, 403)
    user = get_user_model().objects.create_user("shopper", password="pw")
    api.force_authenticate(user)
    data = api.get(url).json()
    assert data["id"] == summary.pk and data["themes"] and data["text"] == summary.text
    assert "facts" not in data and "check_reasons" not in data
    assert api.get(reverse("ecom_ai_api:product-feedback", args=[987654])).status_code == 404
    assert api.get(url + "?language=fr").status_code == 400
    # a newer summary that needs review is hidden from customers, shown to staff
    FeedbackSummary.objects.filter(pk=summary.pk).update(status=FeedbackSummary.Status.NEEDS_REVIEW)
    assert api.get(url).status_code == 404
    api.force_authenticate(staff_user)
    assert api.get(url).json()["status"] == "needs_review"
    listing = api.get(reverse("ecom_ai_api:feedback-summary-list") + f"?product={shop['phone'].pk}").json()
    rows = listing["results"] if isinstance(listing, dict) else listing
    assert [r["id"] for r in rows] == [summary.pk]
    assert api.get(reverse("ecom_ai_api:feedback-summary-list") + "?product=abc").status_code == 400


def test_admin_shows_aspects_teams_and_weekly_trend_per_aspect(client, staff_user, summary):
    client.force_login(staff_user)
    page = client.get(reverse("admin:ecom_ai_feedbacksummary_change", args=[summary.pk])).content.decode()
    logistics = next(t for t in summary.themes if t["slug"] == "logistics")
    assert f"<td>{logistics['count']}</td>" in page                       # reviews judging it
    assert f"{logistics['positive_share']}% / {logistics['negative_share']}%" in page
    assert "负责：物流" in page                                          # the action's team
    weeks = [w for w in summary.trend if w["aspects"].get("logistics", [0, 0])[0]]
    assert weeks and f"<td>{weeks[0]['week']}</td>" in page


def test_aspect_admin_lists_canonical_aspects_and_refuses_a_new_one_without_words(client, staff_user):
    client.force_login(staff_user)
    listing = client.get(reverse("admin:ecom_ai_feedbackaspect_changelist")).content.decode()
    assert "logistics" in listing and "packaging" in listing
    url = reverse("admin:ecom_ai_feedbackaspect_add")
    response = client.post(url, {"slug": "straw", "name": "吸管", "name_en": "straw", "team": "product", "synonyms": "",
                                 "action": "", "enabled": "on"})
    assert response.status_code == 200 and not FeedbackAspect.objects.filter(slug="straw").exists()
    response = client.post(url, {"slug": "straw", "name": "<b>吸管</b>", "name_en": "straw", "team": "product",
                                 "synonyms": "吸管，管子", "action": "", "enabled": "on"})
    assert response.status_code == 302
    assert FeedbackAspect.objects.get(slug="straw").synonym_list() == ["吸管", "管子"]
    assert "<b>吸管</b>" not in client.get(reverse("admin:ecom_ai_feedbackaspect_changelist")).content.decode()


def test_api_lists_aspects_for_staff_only(shop, staff_user):
    api = APIClient()
    url = reverse("ecom_ai_api:feedback-aspect-list")
    api.force_authenticate(get_user_model().objects.create_user("shopper2", password="pw"))
    assert api.get(url).status_code == 403
    api.force_authenticate(staff_user)
    data = api.get(url).json()
    rows = data["results"] if isinstance(data, dict) else data
    logistics = next(r for r in rows if r["slug"] == "logistics")
    assert logistics["team"] == "logistics" and set(logistics) == {"slug", "name", "name_en", "team", "synonyms", "action",
                                                                   "enabled", "updated_at"}
