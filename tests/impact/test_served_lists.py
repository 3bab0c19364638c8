"""The recommendation API's request ids are read back: each answer is stored as a ServedList, events posted
with its id get its model version, and a customer cannot post events against a list shown to someone else."""
from datetime import timedelta

from django.utils import timezone

from ecom_ai.impact.models import ImpactEvent
from ecom_ai.recommendations import services as recommendations
from ecom_ai.recommendations.models import ServedList
from tests.impact.conftest import client_for, event
from tests.impact.test_events import post


def test_each_api_answer_is_stored_under_its_request_id(shop):
    first = client_for(shop["alice_user"]).get("/api/ecom-ai/recommendations/?k=2")
    second = client_for(shop["alice_user"]).get("/api/ecom-ai/recommendations/?k=2")
    assert first.status_code == second.status_code == 200, first.content
    a, b = first.json(), second.json()
    assert a["request_id"] != b["request_id"] and b["cached"]  # the cached answer still gets its own id
    served = ServedList.objects.get(request_id=a["request_id"])
    assert (served.kind, served.customer_id, served.model_version) == ("personal", shop["alice"].pk, a["model_version"])
    assert served.product_ids == [it["product_id"] for it in a["items"]]

    similar = client_for(shop["bob_user"]).get(f"/api/ecom-ai/recommendations/products/{shop['phone'].pk}/similar/?k=2").json()
    row = ServedList.objects.get(request_id=similar["request_id"])
    assert (row.kind, row.product_id, row.customer_id) == ("similar", shop["phone"].pk, None)


def test_events_on_a_served_list_get_its_model_version_and_only_its_customer_may_post_them(shop):
    served = ServedList.objects.create(request_id="7d2f8c1e-58c3-4b8e-9a51-0a3f5f0c2b11", kind="personal",
                                       customer_id=shop["alice"].pk, model_version="ease-v7", product_ids=[shop["phone"].pk])
    assert post(shop["alice_user"], [event(0, product=shop["phone"], request_id=str(served.request_id))]).status_code == 202
    assert ImpactEvent.objects.get(event_id="e-0").model_version == "ease-v7"

    answer = post(shop["bob_user"], [event(1, product=shop["phone"], request_id=str(served.request_id))])
    assert answer.status_code == 400, answer.content
    assert "another customer" in str(answer.json()) and not ImpactEvent.objects.filter(event_id="e-1").exists()

    product_list = ServedList.objects.create(request_id="0b5e3c57-2a0f-4a52-8c6c-3c2f2a9d7e40", kind="similar",
                                             product_id=shop["phone"].pk, model_version="ease-v7", product_ids=[])
    assert post(shop["bob_user"], [event(2, product=shop["case"], request_id=str(product_list.request_id))]).status_code == 202


def test_old_served_lists_are_pruned(shop, settings):
    settings.ECOM_AI = {**getattr(settings, "ECOM_AI", {}), "RECOMMENDATIONS": {"SERVED_KEEP_DAYS": 30}}
    old = ServedList.objects.create(request_id="11111111-1111-4111-8111-111111111111", kind="personal", customer_id=1)
    new = ServedList.objects.create(request_id="22222222-2222-4222-8222-222222222222", kind="personal", customer_id=1)
    ServedList.objects.filter(pk=old.pk).update(served_at=timezone.now() - timedelta(days=31))
    assert recommendations.prune_served() == 1
    assert list(ServedList.objects.values_list("pk", flat=True)) == [new.pk]
