"""Admin pages (actions, variants side by side, choose, edit, escaping) and the read-only API of active campaigns."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from ecom_ai.jobs.models import AIJob
from ecom_ai.campaigns.models import Campaign, CampaignCopy
from ecom_ai.campaigns import services as svc
from ecom_ai.jobs import engine as jobs


@pytest.fixture
def with_copy(flash_sale, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        jobs.start_job("campaign_copy", Campaign.objects.filter(pk=flash_sale.pk), params={"variants": 2})
    return flash_sale


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the assertions read the English messages
    return client


def test_changelist_actions_start_jobs(admin_client, flash_sale, group_buy, django_capture_on_commit_callbacks):
    url = reverse("admin:ecom_ai_campaign_changelist")
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "start_campaign_rules_job" in page.content.decode() and "start_campaign_copy_job" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        resp = admin_client.post(url, {"action": "start_campaign_copy_job", "_selected_action": [flash_sale.pk, group_buy.pk]},
                                 follow=True)
    assert resp.status_code == 200
    job = AIJob.objects.get(kind="campaign_copy")
    assert job.n_items == 2 and job.status == "done"
    assert CampaignCopy.objects.filter(campaign=group_buy, status="ready").exists()


def test_change_page_shows_variants_side_by_side(admin_client, with_copy):
    page = admin_client.get(reverse("admin:ecom_ai_campaign_change", args=[with_copy.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="copy-variants"' in html
    for copy in CampaignCopy.objects.filter(campaign=with_copy)[:5]:
        assert f'data-copy="{copy.pk}"' in html
    assert html.count("ecom_ai_campaign_choose_copy") == 0 and "/choose/" in html


def test_choose_one_per_channel_and_language(admin_client, with_copy):
    first, second = CampaignCopy.objects.filter(campaign=with_copy, channel="sms", language="zh").order_by("variant")
    url = lambda c: reverse("admin:ecom_ai_campaign_choose_copy", args=[with_copy.pk, c.pk])  # noqa: E731
    assert admin_client.post(url(first)).status_code == 302
    assert admin_client.post(url(second)).status_code == 302
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == ("ready", "chosen")
    assert admin_client.get(url(first)).status_code == 405


def test_edit_is_checked_again(admin_client, with_copy):
    copy = CampaignCopy.objects.filter(campaign=with_copy, channel="title", language="zh").first()
    url = reverse("admin:ecom_ai_campaign_edit_copy", args=[with_copy.pk, copy.pk])
    admin_client.post(url, {"text": "星河 X1 手机 秒杀价1699元"})
    copy.refresh_from_db()
    assert copy.status == "needs_review" and copy.edited_text and any("1699" in r for r in copy.reasons)
    admin_client.post(url, {"text": "星河 X1 手机 限时秒杀价1799元"})
    copy.refresh_from_db()
    assert copy.status == "ready" and copy.reasons == [] and copy.current_text == "星河 X1 手机 限时秒杀价1799元"
    # a copy that needs review cannot be chosen
    bad = CampaignCopy.objects.filter(campaign=with_copy).exclude(pk=copy.pk).first()
    admin_client.post(reverse("admin:ecom_ai_campaign_edit_copy", args=[with_copy.pk, bad.pk]), {"text": "史上最低 1799元"})
    admin_client.post(reverse("admin:ecom_ai_campaign_choose_copy", args=[with_copy.pk, bad.pk]))
    bad.refresh_from_db()
    assert bad.status == "needs_review"


def test_script_in_copy_and_name_renders_escaped(admin_client, with_copy):
    Campaign.objects.filter(pk=with_copy.pk).update(name='<script>alert("n")</script>')
    copy = CampaignCopy.objects.filter(campaign=with_copy).first()
    svc.edit_copy(copy, '<script>alert("x")</script> 秒杀价1799元')
    copy.refresh_from_db()
    assert copy.status == "needs_review" and any("markup" in r for r in copy.reasons)
    for url in (reverse("admin:ecom_ai_campaign_change", args=[with_copy.pk]), reverse("admin:ecom_ai_campaign_changelist"),
                reverse("admin:ecom_ai_campaigncopy_changelist"), reverse("admin:ecom_ai_campaigncopy_change", args=[copy.pk])):
        html = admin_client.get(url).content.decode()
        assert "<script>alert(" not in html, url
        assert "&lt;script&gt;alert(" in html, url


def test_admin_form_refuses_bad_rules_and_loses_nothing(admin_client, shop):
    start = timezone.localtime() + timedelta(days=1)
    data = {"name": "新品秒杀", "kind": "flash_sale", "status": "published", "language": "both",
            "starts_at_0": start.strftime("%Y-%m-%d"), "starts_at_1": "10:00:00",
            "ends_at_0": (start - timedelta(days=1)).strftime("%Y-%m-%d"), "ends_at_1": "10:00:00",
            "product_ids": f"{shop['phone'].pk}, 99999", "sale_price": "1000", "stock_cap": "10"}
    resp = admin_client.post(reverse("admin:ecom_ai_campaign_add"), data)
    assert resp.status_code == 200 and not Campaign.objects.exists()
    html = resp.content.decode()
    assert "99999" in html and "margin floor" in html and "after the start" in html
    assert html.count("The end must be after the start.") == 1  # the model's check and the validator's, shown once
    data.update({"ends_at_0": (start + timedelta(days=1)).strftime("%Y-%m-%d"), "product_ids": str(shop["phone"].pk),
                 "sale_price": "1799"})
    resp = admin_client.post(reverse("admin:ecom_ai_campaign_add"), data)
    assert resp.status_code == 302
    c = Campaign.objects.get()
    assert c.product_ids == [shop["phone"].pk] and c.products_snapshot[0]["name"] == "星河 X1 手机"


def test_copy_admin_edit_is_rechecked(admin_client, with_copy):
    copy = CampaignCopy.objects.filter(campaign=with_copy, channel="title").first()
    url = reverse("admin:ecom_ai_campaigncopy_change", args=[copy.pk])
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"edited_text": "第一名 星河 X1 手机"})
    copy.refresh_from_db()
    assert copy.status == "needs_review" and any("banned" in r for r in copy.reasons)


def test_staff_without_permission_cannot_choose(client, with_copy):
    user = get_user_model().objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(user)
    copy = CampaignCopy.objects.filter(campaign=with_copy).first()
    resp = client.post(reverse("admin:ecom_ai_campaign_choose_copy", args=[with_copy.pk, copy.pk]))
    assert resp.status_code == 403
    copy.refresh_from_db()
    assert copy.status == "ready"


# -- API ------------------------------------------------------------------------------------

@pytest.fixture
def running(with_copy):
    now = timezone.now()
    Campaign.objects.filter(pk=with_copy.pk).update(status="published", starts_at=now - timedelta(hours=1),
                                                    ends_at=now + timedelta(hours=5))
    with_copy.refresh_from_db()
    # the rule's dates changed: regenerate so the copy matches them, then choose one zh and one en SMS
    svc.recheck_copies(with_copy)
    CampaignCopy.objects.all().delete()
    facts, requests = svc.prepare_copy(with_copy, params={"channels": ["sms"], "variants": 2})
    from ecom_ai.llm.registry import backend_for

    drafts = svc.check_results(requests, backend_for("promo_copy").generate([r for *_, r in requests]), facts)
    svc.save_copies(with_copy, drafts, facts)
    for lang in ("zh", "en"):
        svc.choose_copy(CampaignCopy.objects.filter(language=lang, status="ready").first())
    return with_copy


def test_api_lists_active_campaigns_with_their_chosen_copy_only(client, running, shop, make_campaign):
    now = timezone.now()
    make_campaign(name="未来活动", kind="flash_sale", product_ids=[shop["phone"].pk], sale_price=Decimal("1799"),
                  stock_cap=5, status="published")  # starts tomorrow
    make_campaign(name="草稿", kind="flash_sale", product_ids=[shop["phone"].pk], sale_price=Decimal("1799"), stock_cap=5,
                  starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))  # draft
    url = reverse("ecom_ai_api:campaign-list")
    assert client.get(url).status_code in (401, 403)
    client.force_login(shop["customers"][0].user)
    data = client.get(url).json()
    results = data["results"] if isinstance(data, dict) else data
    assert [r["id"] for r in results] == [running.pk]
    r = results[0]
    assert r["sale_price"] == "1799.00" and r["stock_cap"] == 100
    assert r["products"] == [{"id": shop["phone"].pk, "name": "星河 X1 手机", "price": "1999.00"}]  # no cost
    chosen = {(c.channel, c.language): c.current_text for c in CampaignCopy.objects.filter(status="chosen")}
    assert {(c["channel"], c["language"]): c["text"] for c in r["copies"]} == chosen and len(chosen) == 2
    zh = client.get(url, {"language": "zh"}).json()
    assert [c["language"] for c in (zh["results"] if isinstance(zh, dict) else zh)[0]["copies"]] == ["zh"]
    assert client.get(url, {"language": "fr"}).status_code == 400
    assert client.get(reverse("ecom_ai_api:campaign-detail", args=[running.pk])).status_code == 200
    draft = Campaign.objects.get(name="草稿")
    assert client.get(reverse("ecom_ai_api:campaign-detail", args=[draft.pk])).status_code == 404
    assert client.post(url, {}).status_code == 405


def test_api_hides_chosen_copy_whose_rule_changed(client, running, shop):
    Campaign.objects.filter(pk=running.pk).update(sale_price=Decimal("1699"))
    client.force_login(shop["customers"][0].user)
    data = client.get(reverse("ecom_ai_api:campaign-list")).json()
    results = data["results"] if isinstance(data, dict) else data
    assert results[0]["copies"] == []


def test_other_admin_pages_render(admin_client, flash_sale):
    for url in (reverse("admin:ecom_ai_campaign_add"), reverse("admin:ecom_ai_campaign_change", args=[flash_sale.pk]),
                reverse("admin:ecom_ai_bannedterm_changelist"), reverse("admin:ecom_ai_bannedterm_add")):
        assert admin_client.get(url).status_code == 200, url
    assert 'id="copy-variants"' not in admin_client.get(
        reverse("admin:ecom_ai_campaign_change", args=[flash_sale.pk])).content.decode()  # no copy yet
