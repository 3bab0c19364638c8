"""Copy generation through the job engine, and the checks that keep wrong numbers and banned words from being ready."""
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings

from ecom_ai.llm.base import Fact
from ecom_ai.jobs.models import AIJob
from ecom_ai.campaigns.models import Campaign, CampaignCopy
from ecom_ai.campaigns import services as svc
from ecom_ai.jobs import engine as jobs

from .fakes import EXPECTED, mode_for

BAD = {**settings.ECOM_AI, "BACKENDS": {"bad": {"BACKEND": "tests.campaigns.fakes.BadCopyBackend"}},
       "FEATURES": {"promo_copy": "bad"}}


def _run(queryset, params=None, capture=None):
    with capture(execute=True):
        job = jobs.start_job("campaign_copy", queryset, params=params or {})
    job.refresh_from_db()
    return job


def test_grounded_copy_is_all_ready_through_the_job_engine(flash_sale, group_buy, coupon, django_capture_on_commit_callbacks):
    job = _run(Campaign.objects.all(), capture=django_capture_on_commit_callbacks)
    assert job.status == AIJob.Status.DONE, job.error_summary
    assert job.n_done == 3 and job.tokens_out > 0
    copies = CampaignCopy.objects.all()
    assert copies.count() == 3 * 6 * 2 * 3  # campaigns × channels × languages × variants
    not_ready = [(c.text, c.reasons) for c in copies if c.status != "ready"]
    assert not_ready == []
    for c in copies.filter(channel="sms"):
        assert len(c.text) <= 70 and ("【演示商城】" in c.text if c.language == "zh" else "[Demo Shop]" in c.text)
    assert copies.filter(model_id="grounded-rules-v1", backend="default", job=job).count() == copies.count()
    item = job.items.get(target_id=str(flash_sale.pk))
    assert item.result_id == str(flash_sale.pk)
    assert set(copies.filter(campaign=flash_sale).values_list("rule_fingerprint", flat=True)) == {
        svc.fingerprint(svc.rule_facts(flash_sale))}


def test_language_setting_and_params(flash_sale, django_capture_on_commit_callbacks):
    Campaign.objects.filter(pk=flash_sale.pk).update(language="en")
    _run(Campaign.objects.all(), params={"variants": 2, "channels": ["sms", "title"]}, capture=django_capture_on_commit_callbacks)
    assert set(CampaignCopy.objects.values_list("language", "channel").distinct()) == {("en", "sms"), ("en", "title")}
    assert CampaignCopy.objects.count() == 4


def test_regenerating_replaces_unchosen_copy_and_keeps_the_chosen(flash_sale, django_capture_on_commit_callbacks):
    _run(Campaign.objects.all(), params={"channels": ["title"]}, capture=django_capture_on_commit_callbacks)
    chosen = svc.choose_copy(CampaignCopy.objects.filter(language="zh").first())
    _run(Campaign.objects.all(), params={"channels": ["title"]}, capture=django_capture_on_commit_callbacks)
    assert CampaignCopy.objects.filter(status="chosen").get().pk == chosen.pk
    assert CampaignCopy.objects.count() == 1 + 6


@pytest.mark.parametrize("kind_fixture", ["flash_sale", "group_buy", "coupon", "percent_coupon"])
def test_a_backend_writing_wrong_numbers_and_banned_words_is_caught_every_time(
        request, shop, make_campaign, kind_fixture, django_capture_on_commit_callbacks):
    if kind_fixture == "percent_coupon":
        campaign = make_campaign(name="会员日", kind="coupon", product_ids=[shop["phone"].pk, shop["pillow"].pk],
                                 percent_off=Decimal("20"))
    else:
        campaign = request.getfixturevalue(kind_fixture)
    with override_settings(ECOM_AI=BAD):
        job = _run(Campaign.objects.filter(pk=campaign.pk), params={"variants": 6},
                   capture=django_capture_on_commit_callbacks)
    assert job.status == AIJob.Status.DONE, job.error_summary
    copies = list(CampaignCopy.objects.filter(campaign=campaign))
    assert len(copies) == 6 * 2 * 6
    assert {c.model_id for c in copies} == {"bad-copy-v1"}
    missed = []
    for c in copies:
        mode = mode_for(c.channel, c.variant)
        if c.status != "needs_review" or c.check_ok or not any(m in r for r in c.reasons for m in EXPECTED[mode]):
            missed.append((mode, c.channel, c.language, c.text[:80], c.reasons))
    assert missed == []
    # every mistake was made in every language, so the test covers what it claims
    assert {(mode_for(c.channel, c.variant), c.language) for c in copies} == {(m, lang) for m in EXPECTED for lang in ("zh", "en")}


def test_a_campaign_that_broke_its_rule_gets_no_copy(flash_sale, shop, django_capture_on_commit_callbacks):
    shop["phone"].delete()  # the product vanished from the shop
    job = _run(Campaign.objects.all(), capture=django_capture_on_commit_callbacks)
    assert job.status == AIJob.Status.FAILED
    assert "no longer in the shop" in job.items.get().error
    assert not CampaignCopy.objects.exists()


def test_a_rule_changed_after_the_copy_sends_it_back_to_review(flash_sale, django_capture_on_commit_callbacks):
    _run(Campaign.objects.all(), params={"channels": ["title"], "languages": ["zh"]}, capture=django_capture_on_commit_callbacks)
    svc.choose_copy(CampaignCopy.objects.first())
    flash_sale.sale_price = Decimal("1699")
    svc.save_campaign(flash_sale)
    assert set(CampaignCopy.objects.values_list("status", flat=True)) == {"needs_review"}
    assert all(any("1799" in r for r in c.reasons) for c in CampaignCopy.objects.all())


# -- check_copy directly ------------------------------------------------------------------------

FACTS = [Fact("campaign_name", "双十二大促", "campaign:1"), Fact("kind", "flash_sale", "campaign:1"),
         Fact("name", "星河 X1 手机", "product:1"), Fact("price", "1799", "campaign:1"),
         Fact("original_price", "1999", "product:1"), Fact("stock", "100", "campaign:1"),
         Fact("starts_at", "2026-12-10 10:00", "campaign:1"), Fact("ends_at", "2026-12-12 10:00", "campaign:1"),
         Fact("per_customer_limit", "2", "campaign:1")]


@pytest.mark.parametrize("text, marker", [
    ("星河 X1 手机 秒杀价1799元，原价1999元，12月10日 10:00开抢", None),
    ("星河 X1 手机 秒杀价1999元，原价1799元", "does not match"),          # swapped: both numbers are facts
    ("星河 X1 手机 秒杀价1799元，12月12日 10:00开抢", "start date"),       # the end date said to be the start
    ("星河 X1 手机 秒杀价1799元，12月10日 10:00截止", "end date"),
    ("星河 X1 手机 秒杀价1799元，限量2件", "does not match"),               # the per-customer limit as the stock
    ("星河 X1 手机 秒杀价1799元，每人限购100件", "does not match"),
    ("星河 X1 手机 秒杀价1799元，8折", "discount"),
    ("星河 X1 手机 秒杀价1799元，仅需100元", "amount of money"),           # a count written as money
    ("星河 X1 手机 秒杀价1799元，第一好价", "banned"),
    ("星河 X1 手机 秒杀价1799元 <script>alert(1)</script>", "markup"),
    ("Nova phone flash price ¥1799, best deal", "banned"),
    ("flash price ¥1799, ends Dec 10", "end date"),
])
def test_check_copy_cases(db, text, marker):
    check = svc.check_copy(text, channel="banner", language="zh" if "秒杀" in text else "en", facts=FACTS)
    if marker is None:
        assert check.ok, check.reasons
    else:
        assert not check.ok and any(marker in r for r in check.reasons), check.reasons


def test_sms_length_and_signature(db):
    ok = "【演示商城】星河 X1 手机，秒杀价1799元，回T退订"
    assert svc.check_copy(ok, channel="sms", language="zh", facts=FACTS).ok
    assert any("signature" in r for r in svc.check_copy(ok[6:], channel="sms", language="zh", facts=FACTS).reasons)
    long = ok + "，快来" * 20
    assert len(long) > 70
    assert any("limit of 70" in r for r in svc.check_copy(long, channel="sms", language="zh", facts=FACTS).reasons)


def test_another_catalogue_product_named_in_copy_is_caught(db):
    check = svc.check_copy("云朵记忆枕 秒杀价1799元", channel="title", language="zh", facts=FACTS,
                           catalogue_names=["云朵记忆枕", "星河 X1 手机"])
    assert not check.ok and any("云朵记忆枕" in r for r in check.reasons)
