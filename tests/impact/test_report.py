"""Per-feature figures, the staff API, the admin Impact page with its CSV, and ``ecom_ai impact --json``."""
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from ecom_ai.impact import metrics
from ecom_ai.impact.models import Experiment, ImpactEvent
from tests.impact.conftest import client_for


def _events(shop, version="v1"):
    now = timezone.now()
    rows = []
    for i in range(10):
        rows.append(ImpactEvent(customer_id=shop["alice"].pk, event_id=f"i{i}", kind="impression", source="recommendation",
                                product_id=shop["phone"].pk, model_version=version, occurred_at=now - timedelta(hours=2)))
    rows += [ImpactEvent(customer_id=shop["alice"].pk, event_id=f"c{i}", kind="click", source="recommendation",
                         product_id=shop["phone"].pk, model_version=version, occurred_at=now - timedelta(hours=1)) for i in range(3)]
    rows.append(ImpactEvent(customer_id=shop["alice"].pk, event_id="a0", kind="add_to_cart", source="recommendation",
                            product_id=shop["phone"].pk, model_version=version, occurred_at=now - timedelta(hours=1)))
    rows.append(ImpactEvent(customer_id=shop["alice"].pk, event_id="o0", kind="order", source="recommendation", order_id=5,
                            product_id=shop["phone"].pk, model_version=version, value="4999", occurred_at=now - timedelta(minutes=30)))
    rows += [ImpactEvent(customer_id=shop["bob"].pk, event_id=f"p{i}", kind="impression", source="campaign", copy_id=shop["copy_a"].pk,
                         campaign_id=shop["campaign"].pk, variant=0, product_id=shop["phone"].pk, occurred_at=now - timedelta(hours=1))
             for i in range(4)]
    rows.append(ImpactEvent(customer_id=shop["bob"].pk, event_id="pc", kind="click", source="campaign", copy_id=shop["copy_a"].pk,
                            campaign_id=shop["campaign"].pk, variant=0, product_id=shop["phone"].pk, occurred_at=now - timedelta(hours=1)))
    ImpactEvent.objects.bulk_create(rows)


def test_recommendation_and_campaign_funnels(shop):
    _events(shop)
    r = metrics.report(days=7)
    (v,) = r["recommendations"]["by_version"]
    assert (v["model_version"], v["impressions"], v["clicks"], v["carts"], v["orders"], v["revenue"]) == ("v1", 10, 3, 1, 1, "4999.00")
    assert v["ctr"] == pytest.approx(0.3) and v["cart_rate"] == pytest.approx(0.1)
    assert sum(d["impressions"] for d in r["recommendations"]["daily"]) == 10
    (c,) = r["campaigns"]["by_copy"]
    assert (c["copy_id"], c["variant"], c["impressions"], c["clicks"], c["ctr"]) == (shop["copy_a"].pk, 0, 4, 1, 0.25)
    assert r["feedback"]["measured"] is False


def test_edit_distance_by_hand():
    assert metrics.edit_distance("kitten", "sitting") == 3
    assert metrics.edit_distance("您好，订单已发货。", "您好，订单今天已发货。") == 2
    assert metrics.edit_distance("abc", "abc") == 0
    assert metrics.edit_distance("", "abcd") == 4


def test_inquiry_outcomes_reply_time_and_asking_again(shop):
    from ecom_ai.inquiries.models import Inquiry, ReplyDraft

    now = timezone.now()
    cid = shop["alice"].pk

    def inquiry(minutes_ago, order_id=None, customer_id=cid, **kw):
        q = Inquiry.objects.create(customer_id=customer_id, text="我的快递到哪了？", order_id=order_id, **kw)
        Inquiry.objects.filter(pk=q.pk).update(created_at=now - timedelta(minutes=minutes_ago))
        q.refresh_from_db()
        return q

    a = inquiry(600, order_id=1, status="sent", sent_at=now - timedelta(minutes=580))     # 20 minutes to reply
    inquiry(300, order_id=1)                                                             # asked again 5 hours later
    b = inquiry(500, order_id=2, status="sent", sent_at=now - timedelta(minutes=460))    # 40 minutes
    inquiry(100, status="handed_over")
    inquiry(200, order_id=3, customer_id=shop["bob"].pk)                                 # bob asks once
    inquiry(60 * 30, order_id=4, customer_id=shop["bob"].pk)                             # and again 30 hours later:
    inquiry(60 * 2, order_id=4, customer_id=shop["bob"].pk)                              # not within 24 hours
    ReplyDraft.objects.create(inquiry=a, text="您好，订单已发货。", approved_at=now - timedelta(minutes=581))
    ReplyDraft.objects.create(inquiry=b, text="您好，订单已发货。", edited_text="您好，订单今天已发货。", approved_at=now - timedelta(minutes=461))
    ReplyDraft.objects.create(inquiry=b, text="不用的稿", approved_at=None)
    t = metrics.report(days=7)["inquiries"]["totals"]
    assert (t["unchanged"], t["edited"], t["handed_over"]) == (1, 1, 1)
    assert t["median_edit_distance"] == 2
    assert t["median_minutes_to_reply"] == pytest.approx(30)
    assert (t["order_inquiries"], t["asked_again_24h"]) == (6, 1)
    assert (t["customers_about_orders"], t["customers_asked_again"], t["asked_again_share"]) == (2, 1, 0.5)


def test_the_impact_api_is_for_staff(shop):
    _events(shop)
    assert client_for(shop["alice_user"]).get("/api/ecom-ai/impact/").status_code == 403
    r = client_for(shop["staff"]).get("/api/ecom-ai/impact/", {"days": 7})
    assert r.status_code == 200
    body = r.json()
    assert body["days"] == 7 and body["recommendations"]["by_version"][0]["clicks"] == 3
    assert client_for(shop["staff"]).get("/api/ecom-ai/impact/", {"days": 0}).status_code == 400


def test_the_admin_impact_page_renders_charts_escapes_and_exports(shop, client):
    _events(shop, version="<script>alert(1)</script>")
    Experiment.objects.create(name="rec-ab", kind="recommender", min_per_arm=5, starts_at=timezone.now() - timedelta(days=3),
                              arms=[{"name": "a", "serves": "v1", "share": 0.5}, {"name": "b", "serves": "v2", "share": 0.5}])
    client.force_login(shop["staff"])
    index = client.get("/admin/ecom_ai/").content.decode()
    assert "/admin/ecom_ai/impactreport/" in index
    page = client.get("/admin/ecom_ai/impactreport/?days=7")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") >= 3 and "<polyline" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "rec-ab" in html and "too small" in html
    csv = client.get("/admin/ecom_ai/impactreport/export.csv?days=7")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0].startswith("feature,day,model_version")
    assert any(",impressions,10" in line for line in lines)
    r = client.post("/admin/ecom_ai/impactreport/attribute/")
    assert r.status_code == 302
    client.force_login(shop["alice_user"])
    assert client.get("/admin/ecom_ai/impactreport/").status_code == 302          # not staff: to the login page


def test_cli_impact_json(shop):
    _events(shop)
    out = StringIO()
    call_command("ecom_ai", "impact", "--days", "7", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["recommendations"]["by_version"][0]["impressions"] == 10
    text = StringIO()
    call_command("ecom_ai", "impact", "--days", "7", stdout=text)
    assert "v1" in text.getvalue() and "order line" in text.getvalue()
