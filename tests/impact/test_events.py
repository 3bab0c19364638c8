"""POST/GET /api/ecom-ai/events/: idempotent batches, whole-batch rejection, own events only, throttled."""
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from ecom_ai.impact.models import ImpactEvent
from tests.impact.conftest import client_for, event

URL = "/api/ecom-ai/events/"


def post(user, rows):
    return client_for(user).post(URL, {"events": rows}, format="json")


def test_a_batch_is_stored_and_a_repeated_event_id_once(shop):
    rows = [event(i, product=shop["phone"]) for i in range(3)] + [event(3, kind="click", product=shop["phone"])]
    r = post(shop["alice_user"], rows)
    assert r.status_code == 202, r.content
    assert r.json() == {"accepted": 4}
    assert post(shop["alice_user"], rows[:2] + [event(9, product=shop["case"])]).status_code == 202
    assert ImpactEvent.objects.count() == 5
    assert set(ImpactEvent.objects.values_list("customer_id", flat=True)) == {shop["alice"].pk}
    # the same client id from another customer is another event
    assert post(shop["bob_user"], rows[:1]).status_code == 202
    assert ImpactEvent.objects.filter(event_id="e-0").count() == 2


def test_a_malformed_batch_stores_nothing_and_names_each_bad_row(shop):
    rows = [event(0, product=shop["phone"]),
            event(1, kind="purchase", product=shop["phone"]),                          # unknown kind
            event(2, product=shop["phone"], minutes_ago=-60),                          # an hour in the future
            event(3, product=shop["phone"], minutes_ago=60 * 24 * 40),                 # older than 30 days
            event(4, kind="order", product=shop["phone"]),                             # an order without its order id
            {**event(5, product=shop["phone"]), "copy_id": shop["copy_a"].pk},       # both sources
            event(6, product=shop["phone"], value="-3"),
            event(7, product=shop["phone"], event_id="<script>"),
            "not an object",
            event(9, product=shop["phone"], copy_id=999999),                           # no such copy
            event(10, product=shop["phone"], colour="red")]
    r = post(shop["alice_user"], rows)
    assert r.status_code == 400
    body = r.json()
    assert "10 of 11" in body["detail"]
    bad = {row["index"]: row["errors"] for row in body["rows"]}
    assert set(bad) == set(range(1, 11))
    assert "kind" in bad[1] and "future" in bad[2]["occurred_at"] and "30 days" in bad[3]["occurred_at"]
    assert "order_id" in bad[4] and "source" in bad[5] and "value" in bad[6] and "event_id" in bad[7]
    assert "row" in bad[8] and "copy_id" in bad[9] and bad[10] == {"colour": "Unknown field."}
    assert ImpactEvent.objects.count() == 0


@pytest.mark.parametrize("body", [{"events": []}, {"events": "x"}, {}, {"events": [{}] * 501}])
def test_empty_wrong_or_oversized_batches_are_refused(shop, body):
    r = client_for(shop["alice_user"]).post(URL, body, format="json")
    assert r.status_code == 400 and r.json()["detail"]
    assert ImpactEvent.objects.count() == 0


def test_a_batch_naming_another_customer_is_refused_whole(shop):
    rows = [event(0, product=shop["phone"]), event(1, product=shop["phone"], customer_id=shop["bob"].pk)]
    r = post(shop["alice_user"], rows)
    assert r.status_code == 403
    assert ImpactEvent.objects.count() == 0
    assert post(shop["alice_user"], [event(0, product=shop["phone"], customer_id=shop["alice"].pk)]).status_code == 202


def test_customers_read_only_their_own_events_and_staff_read_all(shop):
    post(shop["alice_user"], [event(0, product=shop["phone"])])
    post(shop["bob_user"], [event(0, product=shop["book"]), event(1, product=shop["case"])])
    alice = client_for(shop["alice_user"])
    mine = alice.get(URL).json()["results"]
    assert [e["customer_id"] for e in mine] == [shop["alice"].pk]
    assert alice.get(URL, {"customer_id": shop["bob"].pk}).status_code == 403
    assert alice.get(URL, {"customer_id": "x"}).status_code == 400
    staff = client_for(shop["staff"])
    assert staff.get(URL).json()["count"] == 3
    assert staff.get(URL, {"customer_id": shop["bob"].pk}).json()["count"] == 2
    assert client_for(shop["loner"]).get(URL).status_code == 403        # signed in, but not a customer
    assert client_for(shop["loner"]).post(URL, {"events": [event(0, product=shop["phone"])]}, format="json").status_code == 403
    assert APIClientAnon().post(URL, {"events": []}, format="json").status_code in (401, 403)


def APIClientAnon():
    from rest_framework.test import APIClient

    return APIClient()


def test_sources_are_resolved_copy_variant_and_model_version(shop):
    from ecom_ai.recommendations.models import RecommendationSet

    rec = RecommendationSet.objects.create(customer_id=shop["alice"].pk, items=[], model_version="als-v3")
    rows = [event(0, product=shop["phone"], request_id=str(rec.request_id)),
            event(1, product=shop["phone"], request_id=str(uuid.uuid4()), model_version="als-v4"),
            event(2, product=shop["phone"], copy_id=shop["copy_b"].pk, value="4999")]
    assert post(shop["alice_user"], rows).status_code == 202
    got = {e.event_id: e for e in ImpactEvent.objects.all()}
    assert got["e-0"].model_version == "als-v3" and got["e-0"].source == "recommendation"
    assert got["e-1"].model_version == "als-v4"
    assert (got["e-2"].source, got["e-2"].campaign_id, got["e-2"].variant) == ("campaign", shop["campaign"].pk, 1)
    assert str(got["e-2"].value) == "4999.00"


def test_posting_is_throttled(shop, settings):
    settings.ECOM_AI = {**settings.ECOM_AI, "IMPACT": {"EVENTS_RATE": "2/min"}}
    codes = [post(shop["alice_user"], [event(i, product=shop["phone"])]).status_code for i in range(3)]
    assert codes == [202, 202, 429]
    assert client_for(shop["alice_user"]).get(URL).status_code == 200          # reading is not the scoped throttle's


def test_an_order_event_counts_once_per_order_line(shop):
    rows = [event(0, kind="order", product=shop["phone"], order_id=77, value="4999"),
            event(1, kind="order", product=shop["phone"], order_id=77, value="4999")]  # another id, same order line
    assert post(shop["alice_user"], rows).status_code == 202
    assert ImpactEvent.objects.filter(kind="order").count() == 1


def test_times_at_the_bounds(shop):
    now = timezone.now()
    ok = [event(0, product=shop["phone"], occurred_at=(now + timedelta(seconds=60)).isoformat()),     # clock skew
          event(1, product=shop["phone"], occurred_at=(now - timedelta(days=29)).replace(tzinfo=None).isoformat())]
    assert post(shop["alice_user"], ok).status_code == 202
    r = post(shop["alice_user"], [event(2, product=shop["phone"], occurred_at="yesterday")])
    assert r.status_code == 400 and "ISO 8601" in r.json()["rows"][0]["errors"]["occurred_at"]
