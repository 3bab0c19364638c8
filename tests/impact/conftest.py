"""Fixtures for the impact tests: a tiny shop with two customers, a staff user and a campaign copy."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh(fresh_ai_state):
    """Each test its own throttle counters and caches."""


@pytest.fixture
def shop(db):
    from demo_shop.models import Category, Customer, Product

    from ecom_ai.campaigns.models import Campaign, CampaignCopy

    User = get_user_model()
    phones = Category.objects.create(name="手机", slug="phones")
    books = Category.objects.create(name="书籍", slug="books")
    phone = Product.objects.create(category=phones, name="华为 Mate 60", price=Decimal("4999"), stock=10)
    case = Product.objects.create(category=phones, name="手机壳", price=Decimal("39.90"), stock=100)
    book = Product.objects.create(category=books, name="《Python实战》", price=Decimal("69.90"), stock=40)
    alice_user = User.objects.create_user("alice", password="pw-alice-123")
    bob_user = User.objects.create_user("bob", password="pw-bob-123")
    staff = User.objects.create_user("staff", password="pw-staff-123", is_staff=True, is_superuser=True)
    loner = User.objects.create_user("loner", password="pw-loner-123")
    alice = Customer.objects.create(user=alice_user, name="Alice")
    bob = Customer.objects.create(user=bob_user, name="Bob")
    campaign = Campaign.objects.create(name="双十一", kind=Campaign.Kind.COUPON, product_ids=[phone.pk])
    copy_a = CampaignCopy.objects.create(campaign=campaign, channel="banner", language="zh", variant=0, text="满300减50")
    copy_b = CampaignCopy.objects.create(campaign=campaign, channel="banner", language="zh", variant=1, text="立减50元")
    return {"phone": phone, "case": case, "book": book, "alice": alice, "bob": bob, "alice_user": alice_user,
            "bob_user": bob_user, "staff": staff, "loner": loner, "campaign": campaign, "copy_a": copy_a, "copy_b": copy_b}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def event(n, *, kind="impression", product, minutes_ago=10, **extra) -> dict:
    row = {"event_id": f"e-{n}", "kind": kind, "product_id": product.pk,
           "occurred_at": (timezone.now() - timedelta(minutes=minutes_ago)).isoformat()}
    if "copy_id" not in extra:
        row["request_id"] = "6f1c1b7e-6a7e-4f4e-9d8a-1b2c3d4e5f60"
    row.update(extra)
    return row
