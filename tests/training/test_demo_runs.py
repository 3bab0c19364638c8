"""``make demo`` trains the sentiment baseline and the recommender: both are recorded as training runs, so the
admin's Training runs page shows what the demo did."""
from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from demo_shop.models import Order, OrderLine
from ecom_ai.storage import artifacts
from ecom_ai.training.models import TrainingRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(shop):
    customer, products = shop["customer"], shop["products"]
    for i in range(4):
        order = Order.objects.create(customer=customer, status="paid")
        for p in products[i:i + 3]:
            OrderLine.objects.create(order=order, product=p, quantity=1, unit_price=p.price)
    return shop


def test_the_demo_setup_records_its_training_runs(orders, settings, tmp_path, client):
    settings.VAR_DIR = tmp_path / "var"
    out = io.StringIO()
    call_command("demo_setup", stdout=out)
    runs = {run.kind: run for run in TrainingRun.objects.all()}
    assert set(runs) == {"sentiment-baseline", "recommender"}, out.getvalue()
    sentiment, recommender = runs["sentiment-baseline"], runs["recommender"]
    assert sentiment.status == recommender.status == "done" and sentiment.task == "sentiment"
    assert 0 < sentiment.metrics["accuracy"] <= 1 and sentiment.data_size > 0
    assert recommender.metrics["items"] == 6 and recommender.data_size == recommender.metrics["interactions"] > 0
    for run, name in ((sentiment, "sentiment"), (recommender, "recommender")):
        assert run.artifact_name == name and artifacts.active_version(name) == run.artifact_version and run.is_active
    call_command("demo_setup", stdout=io.StringIO())          # a second `make demo` trains nothing again
    assert TrainingRun.objects.count() == 2

    client.force_login(get_user_model().objects.get(username="admin"))
    listing = client.get(reverse("admin:ecom_ai_trainingrun_changelist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sentiment baseline" in listing and "Recommender" in listing and "6 products" in listing
    page = client.get(reverse("admin:ecom_ai_trainingrun_change", args=[sentiment.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and f"<th>accuracy</th><td>{sentiment.metrics['accuracy']}</td>" in page.content.decode()
