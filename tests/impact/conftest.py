"""Fixtures for the impact tests: a tiny shop with two customers, a staff user and a campaign copy."""
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests import factories as f


@pytest.fixture(autouse=True)
def _fresh(fresh_ai_state):
    """Each test its own throttle counters and caches."""


@pytest.fixture
def shop(db):
    from ecom_ai.campaigns.models import Campaign, CampaignCopy

    phone = f.product("手机", "华为 Mate 60", price="4999")
    case = f.product("手机", "手机壳", price="39.90", stock=100)
    book = f.product("书籍", "《Python实战》", price="69.90", stock=40)
    alice = f.customer("Alice", username="alice")
    bob = f.customer("Bob", username="bob")
    staff = f.user("staff", password="pw-staff-123", is_staff=True, is_superuser=True)
    loner = f.user("loner")
    alice_user, bob_user = alice.user, bob.user
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
