"""The REST API: every object is scoped to its owner (another's → 404), read-only fields cannot be
written, bad input is a 400 and never a 500, and the inquiry throttle holds."""
from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from ecom_ai.jobs.models import AIJob
from ecom_ai.feedback.models import FeedbackSummary
from ecom_ai.inquiries.models import Inquiry
from ecom_ai.jobs import engine as jobs

API = "/api/ecom-ai"


@pytest.fixture
def as_alice(shop):
    client = APIClient()
    client.force_authenticate(shop["alice_user"])
    return client


@pytest.fixture
def owned_jobs(shop):
    a = jobs.start_job("echo", [shop["alice_user"]], user=shop["alice_user"], dispatch=False)
    b = jobs.start_job("echo", [shop["bob_user"]], user=shop["bob_user"], dispatch=False)
    return a, b


def test_anonymous_gets_nothing(shop, owned_jobs):
    client = APIClient()
    for url in ["/inquiries/", f"/inquiries/{shop['alice_inquiry'].pk}/", "/jobs/", f"/jobs/{owned_jobs[0].pk}/",
                "/recommendations/", f"/products/{shop['phone'].pk}/feedback/", "/feedback-summaries/"]:
        assert client.get(API + url).status_code in (401, 403), url
    assert client.post(API + "/inquiries/", {"text": "hi"}, format="json").status_code in (401, 403)
    assert Inquiry.objects.count() == 2


def test_another_customers_inquiry_is_404_and_absent_from_the_list(shop, as_alice):
    assert as_alice.get(f"{API}/inquiries/{shop['bob_inquiry'].pk}/").status_code == 404
    assert as_alice.get(f"{API}/inquiries/{shop['alice_inquiry'].pk}/").status_code == 200
    ids = [row["id"] for row in as_alice.get(f"{API}/inquiries/").json()["results"]]
    assert ids == [shop["alice_inquiry"].pk]
    for bad in ("999999", "abc", "-1", "1.5"):
        assert as_alice.get(f"{API}/inquiries/{bad}/").status_code == 404


def test_asking_about_another_customers_order_is_a_400_and_saves_nothing(shop, as_alice):
    r = as_alice.post(f"{API}/inquiries/", {"text": "这个订单到哪了？", "order_id": shop["bob_order"].pk}, format="json")
    assert r.status_code == 400 and "order" in str(r.json()).lower()
    assert Inquiry.objects.count() == 2
    for bad in ({"text": "x", "order_id": "abc"}, {"text": "x", "order_id": -4}, {"text": "x", "product_id": 10**12},
                {"text": ""}, {"text": "x" * 100_000}, {}, {"text": "x", "channel": "carrier-pigeon"}):
        cache.clear()  # the throttle counts refused posts too; here only the validation is under test
        r = as_alice.post(f"{API}/inquiries/", bad, format="json")
        assert r.status_code == 400, (bad, r.status_code)
    assert as_alice.post(f"{API}/inquiries/", "not json{", content_type="application/json").status_code == 400


def test_read_only_fields_cannot_be_written(shop, as_alice, django_capture_on_commit_callbacks):
    inquiry = shop["alice_inquiry"]
    for method in ("patch", "put", "delete"):
        r = getattr(as_alice, method)(f"{API}/inquiries/{inquiry.pk}/", {"status": "approved", "text": "changed"}, format="json")
        assert r.status_code == 405, method
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.NEW and inquiry.text == "星河X1手机的电池多大？"
    # fields a customer may not set on a new inquiry are ignored: owner, status, job
    with django_capture_on_commit_callbacks(execute=True):
        r = as_alice.post(f"{API}/inquiries/", {"text": "星河X1手机的屏幕多大？", "status": "sent", "customer_id": shop["bob"].pk,
                                                "user": shop["bob_user"].pk, "job_id": 1, "id": 999, "approved": True},
                          format="json")
    assert r.status_code == 201, r.content
    created = Inquiry.objects.get(pk=r.json()["id"])
    assert created.pk != 999 and created.customer_id == shop["alice"].pk and created.user == shop["alice_user"]
    assert created.status != Inquiry.Status.SENT
    assert r.json()["reply"] is None, "the customer sees no draft before a person approves it"


def test_another_users_job_is_404(shop, as_alice, owned_jobs):
    mine, theirs = owned_jobs
    assert as_alice.get(f"{API}/jobs/{theirs.pk}/").status_code == 404
    assert as_alice.get(f"{API}/jobs/{mine.pk}/").status_code == 200
    assert [j["id"] for j in as_alice.get(f"{API}/jobs/").json()["results"]] == [mine.pk]
    for method in ("post", "patch", "put", "delete"):
        assert getattr(as_alice, method)(f"{API}/jobs/{mine.pk}/", {"status": "done"}, format="json").status_code == 405
    mine.refresh_from_db()
    assert mine.status == AIJob.Status.QUEUED


def test_recommendations_ignore_any_customer_parameter(shop, as_alice):
    plain = as_alice.get(f"{API}/recommendations/?k=5")
    assert plain.status_code == 200, plain.content
    strip = lambda d: {k: v for k, v in d.items() if k not in ("request_id", "cached")}  # noqa: E731
    for param in ("customer_id", "customer", "user", "user_id"):
        r = as_alice.get(f"{API}/recommendations/?k=5&{param}={shop['bob'].pk}")
        assert r.status_code == 200 and strip(r.json()) == strip(plain.json()), param
    for bad in ("k=0", "k=abc", "k=100000", "price_min=-1", "price_min=9&price_max=1", "price_min=abc"):
        assert as_alice.get(f"{API}/recommendations/?{bad}").status_code == 400, bad
    assert as_alice.get(f"{API}/recommendations/products/999999/similar/").status_code == 404
    # a user with no customer profile gets a clear answer, not someone else's list, nor a 500
    client = APIClient()
    client.force_authenticate(shop["alice_user"].__class__.objects.create_user("nobody", password="pw-nobody-1"))
    assert client.get(f"{API}/recommendations/").status_code in (200, 400, 404)


def test_customers_see_only_good_feedback_summaries_and_cannot_write_them(shop, as_alice):
    good = FeedbackSummary.objects.create(product_id=shop["phone"].pk, product_name="星河X1手机", text="好评为主",
                                          status=FeedbackSummary.Status.GOOD)
    hidden = FeedbackSummary.objects.create(product_id=shop["phone2"].pk, product_name="晨光S2手机", text="需复核",
                                            status=FeedbackSummary.Status.NEEDS_REVIEW)
    assert as_alice.get(f"{API}/feedback-summaries/{hidden.pk}/").status_code == 404
    assert as_alice.get(f"{API}/products/{shop['phone2'].pk}/feedback/").status_code == 404
    assert as_alice.get(f"{API}/products/{shop['phone'].pk}/feedback/").json()["id"] == good.pk
    assert as_alice.patch(f"{API}/feedback-summaries/{good.pk}/", {"status": "needs_review"}, format="json").status_code == 405
    assert as_alice.get(f"{API}/feedback-summaries/?product=abc").status_code == 400
    assert as_alice.get(f"{API}/products/{shop['phone'].pk}/feedback/?language=xx").status_code == 400


def test_inquiry_posts_are_throttled(shop, as_alice, settings, django_capture_on_commit_callbacks):
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["ecom_ai_inquiry"].split("/")[0])
    codes = []
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(rate + 2):
            codes.append(as_alice.post(f"{API}/inquiries/", {"text": f"星河X1手机的电池多大？{i}"}, format="json").status_code)
    assert codes[:rate] == [201] * rate and codes[rate:] == [429, 429], codes
    assert Inquiry.objects.filter(customer_id=shop["alice"].pk).count() == 1 + rate
    # reading is not throttled by the posting scope
    assert as_alice.get(f"{API}/inquiries/").status_code == 200
    # bob has his own allowance
    bob = APIClient()
    bob.force_authenticate(shop["bob_user"])
    assert bob.post(f"{API}/inquiries/", {"text": "我的书到哪了？"}, format="json").status_code == 201
