"""The inquiries API: ask, read your own inquiry, bad input, ownership, throttling."""
import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from ecom_ai.inquiries.models import Inquiry
from ecom_ai.inquiries import services as service

LIST = "ecom_ai_api:inquiry-list"


@pytest.fixture(autouse=True)
def _clear_throttles():
    cache.clear()
    yield
    cache.clear()


def client_for(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def post(client, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse(LIST), data, format="json")


def test_customer_asks_and_gets_the_approved_reply(shop, staff_user, django_capture_on_commit_callbacks):
    alice = client_for(shop["alice_user"])
    r = post(alice, django_capture_on_commit_callbacks, text="这个手机的电池容量是多少？", product_id=shop["phone"].pk, channel="app")
    assert r.status_code == 201, r.content
    body = r.json()
    # the job runs after the request's transaction commits: the answer is still being prepared
    assert body["job_id"] and body["status"] == "new" and body["reply"] is None and body["reply_status"] == "being prepared"
    assert "drafts" not in body and "handover_reason" not in body  # customers see no drafts
    url = reverse("ecom_ai_api:inquiry-detail", args=[body["id"]])
    r = alice.get(url).json()
    assert r["status"] == "drafted" and r["reply"] is None and "drafts" not in r
    inquiry = Inquiry.objects.get(pk=body["id"])
    service.approve_draft(inquiry.latest_draft, user=staff_user)
    r = alice.get(url)
    assert r.status_code == 200 and "5500mAh" in r.json()["reply"] and r.json()["reply_status"] == "ready"
    staff = client_for(staff_user).get(url).json()
    assert staff["drafts"][0]["check_ok"] is True and staff["drafts"][0]["facts"]


def test_customers_see_only_their_own_inquiries(shop, django_capture_on_commit_callbacks):
    r = post(client_for(shop["alice_user"]), django_capture_on_commit_callbacks, text="我的快递到哪了？")
    bob = client_for(shop["bob_user"])
    assert bob.get(reverse("ecom_ai_api:inquiry-detail", args=[r.json()["id"]])).status_code == 404
    assert bob.get(reverse(LIST)).json()["count"] == 0
    assert client_for(shop["alice_user"]).get(reverse(LIST)).json()["count"] == 1
    assert bob.get(reverse("ecom_ai_api:inquiry-detail", args=[999999])).status_code == 404


def test_a_user_who_is_not_a_customer_gets_403(shop):
    user = get_user_model().objects.create_user("visitor")
    r = client_for(user).post(reverse(LIST), {"text": "在吗"}, format="json")
    assert r.status_code == 403 and "customer" in r.json()["detail"]
    assert not Inquiry.objects.exists()


def test_anonymous_is_refused(shop):
    assert APIClient().post(reverse(LIST), {"text": "在吗"}, format="json").status_code in (401, 403)


@pytest.mark.parametrize("data, message", [
    ({"text": ""}, "empty"),
    ({"text": "   \n "}, "empty"),
    ({"text": "好" * 4001}, "too long"),
    ({"text": "hi", "product_id": "abc"}, "product_id"),
    ({"text": "hi", "product_id": 999999}, "no product"),
    ({"text": "hi", "channel": "fax"}, "channel"),
    ({}, "text"),
])
def test_bad_input_gets_a_clear_400(shop, data, message):
    r = client_for(shop["alice_user"]).post(reverse(LIST), data, format="json")
    assert r.status_code == 400 and message in r.content.decode()
    assert not Inquiry.objects.exists()


def test_another_customers_order_is_a_400(shop):
    r = client_for(shop["alice_user"]).post(reverse(LIST), {"text": "能退吗", "order_id": shop["bob_order"].pk}, format="json")
    assert r.status_code == 400 and "not one of your orders" in r.json()["detail"]


def test_html_emoji_and_mixed_scripts_are_kept_as_plain_text(shop, django_capture_on_commit_callbacks):
    text = "<script>alert('x')</script> 这个手机 battery 多大？🔋😀 Ω"
    r = post(client_for(shop["alice_user"]), django_capture_on_commit_callbacks, text=text, product_id=shop["phone"].pk)
    assert r.status_code == 201 and r.json()["text"] == text
    inquiry = Inquiry.objects.get()
    assert inquiry.text == text and "5500mAh" in inquiry.latest_draft.text and "<script>" not in inquiry.latest_draft.text


def test_posting_is_throttled(shop, django_capture_on_commit_callbacks):
    alice = client_for(shop["alice_user"])
    codes = [post(alice, django_capture_on_commit_callbacks, text=f"在吗 {i}").status_code for i in range(6)]
    assert codes[:5] == [201] * 5 and codes[5] == 429
    assert alice.get(reverse(LIST)).status_code == 200  # reading is not throttled by the scope
    assert Inquiry.objects.count() == 5
