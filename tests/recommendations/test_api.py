"""API: own recommendations with a request id, caching, product lists, clear errors."""
import uuid

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from demo_shop.models import Customer, Product
from ecom_ai.recommendations import services as service

URL = "/api/ecom-ai/recommendations/"


@pytest.fixture
def client_for(trained):
    def make(customer):
        c = APIClient()
        c.force_authenticate(customer.user)
        return c
    return make


def test_own_recommendations_with_a_request_id_and_caching(client_for, customer_with_history, monkeypatch):
    client = client_for(customer_with_history)
    r = client.get(URL, {"k": 5})
    assert r.status_code == 200, r.content
    body = r.json()
    assert uuid.UUID(body["request_id"]) and body["cached"] is False and len(body["items"]) == 5
    assert body["model_version"] and all(i["reason"] for i in body["items"])
    assert set(body["items"][0]) == {"product_id", "name", "category", "price", "score", "source", "reason"}
    calls = []
    monkeypatch.setattr(service, "recommend", lambda *a, **kw: calls.append(1))
    again = client.get(URL, {"k": 5}).json()
    assert again["cached"] is True and calls == [] and again["items"] == body["items"]
    assert again["request_id"] != body["request_id"]
    monkeypatch.undo()
    assert client.get(URL, {"k": 6}).json()["cached"] is False  # other parameters, another entry


def test_query_steers_and_customers_see_only_their_own(client_for, customer_with_history):
    client = client_for(customer_with_history)
    body = client.get(URL, {"q": "我喜欢运动，推荐一款适合我的手机。", "k": 3}).json()
    assert {i["category"] for i in body["items"]} == {"手机"}
    other = Customer.objects.exclude(pk=customer_with_history.pk).first()
    mine = client.get(URL, {"customer_id": other.pk, "k": 10}).json()  # the parameter is ignored
    theirs = service.recommend(customer_with_history.pk, k=10)
    assert [i["product_id"] for i in mine["items"]] == [r.product.id for r in theirs.items]


def test_stored_set_is_served_while_its_model_is_active(client_for, customer_with_history):
    service.compute_and_save(customer_with_history.pk)
    body = client_for(customer_with_history).get(URL, {"k": 5}).json()
    assert body["source"] == "stored" and len(body["items"]) == 5


def test_clear_errors(trained, customer_with_history):
    nobody = get_user_model().objects.create_user("no-customer", password="pw-12345678")
    client = APIClient()
    client.force_authenticate(nobody)
    r = client.get(URL)
    assert r.status_code == 404 and "no customer profile" in r.json()["detail"]
    client.force_authenticate(customer_with_history.user)
    assert client.get(URL, {"k": 0}).status_code == 400
    assert client.get(URL, {"k": "many"}).status_code == 400
    assert client.get(URL, {"price_min": 500, "price_max": 100}).status_code == 400
    r = client.get(URL, {"category": "火箭"})
    assert r.status_code == 400 and "Unknown category" in r.json()["detail"]
    assert APIClient().get(URL).status_code in (401, 403)


def test_product_lists(client_for, customer_with_history):
    client = client_for(customer_with_history)
    pid = Product.objects.filter(status="active").first().pk
    for kind in ("similar", "bought-together"):
        r = client.get(f"{URL}products/{pid}/{kind}/", {"k": 4})
        assert r.status_code == 200, r.content
        body = r.json()
        assert uuid.UUID(body["request_id"]) and 0 < len(body["items"]) <= 4
        assert pid not in [i["product_id"] for i in body["items"]]
    assert client.get(f"{URL}products/999999/similar/").status_code == 404
