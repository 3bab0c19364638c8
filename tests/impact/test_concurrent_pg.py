"""Concurrent duplicate posts on PostgreSQL: every event stored once (run with ECOM_AI_REQUIRE_SERVICES=1 and a
PostgreSQL DATABASE_URL)."""
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ecom_ai.impact.models import ImpactEvent
from tests.impact.conftest import client_for
from tests.live import require_postgres

pytestmark = [pytest.mark.services]


@pytest.fixture
def pg_shop(transactional_db):
    require_postgres()
    from django.contrib.auth import get_user_model

    from demo_shop.models import Customer

    users = [get_user_model().objects.create_user(f"pg{i}") for i in range(2)]
    for u in users:
        Customer.objects.create(user=u, name=u.username)
    return users


def test_concurrent_duplicate_batches_store_each_event_once(pg_shop):
    at = (timezone.now() - timedelta(minutes=5)).isoformat()
    rows = [{"event_id": f"dup-{i}", "kind": "impression", "product_id": 100 + i % 7, "occurred_at": at,
             "request_id": "6f1c1b7e-6a7e-4f4e-9d8a-1b2c3d4e5f60"} for i in range(200)]
    rows += [{"event_id": f"ord-{i}", "kind": "order", "product_id": 100, "order_id": 9, "occurred_at": at,
              "request_id": "6f1c1b7e-6a7e-4f4e-9d8a-1b2c3d4e5f60", "value": "10"} for i in range(5)]
    start = threading.Barrier(8)
    codes, errors = [], []

    def post(user):
        try:
            client = client_for(user)
            start.wait(timeout=30)
            codes.append(client.post("/api/ecom-ai/events/", {"events": rows}, format="json").status_code)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(pg_shop[i % 2],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert codes == [202] * 8
    for user in pg_shop:
        mine = ImpactEvent.objects.filter(customer_id=user.demo_customer.pk)
        assert mine.filter(kind="impression").count() == 200
        assert mine.filter(kind="order").count() == 1          # five client ids, one order line
    assert ImpactEvent.objects.count() == 2 * 201
