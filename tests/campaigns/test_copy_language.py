"""English copy uses a product's English name (else its own name, once) and keeps a Chinese campaign name
out of English sentences; the variants of one campaign differ from each other."""
from collections import defaultdict
from dataclasses import replace

import pytest

from ecom_ai.campaigns import services as svc
from ecom_ai.campaigns.models import Campaign, CampaignCopy
from ecom_ai.jobs import engine as jobs
from ecom_ai.llm.base import BaseBackend, GenerationResult


def _generate(capture, queryset=None, params=None):
    with capture(execute=True):
        job = jobs.start_job("campaign_copy", queryset or Campaign.objects.all(), params=params or {})
    job.refresh_from_db()
    assert job.status == "done", job.error_summary
    return job


def test_english_copy_uses_the_products_english_name(shop, flash_sale, django_capture_on_commit_callbacks):
    shop["phone"].name_en = "Xinghe X1 Phone"
    shop["phone"].save()
    _generate(django_capture_on_commit_callbacks)
    english = list(CampaignCopy.objects.filter(language="en"))
    assert len(english) == 18
    for copy in english:
        assert copy.status == "ready", (copy.text, copy.reasons)
        assert "星河" not in copy.text and "双十二大促" not in copy.text, copy.text
    assert sum("Xinghe X1 Phone" in c.text for c in english) >= 15  # an SMS may have room only for the offer
    # the Chinese copy keeps the Chinese name
    assert all("Xinghe" not in c.text for c in CampaignCopy.objects.filter(language="zh"))
    flash_sale.refresh_from_db()
    assert flash_sale.products_snapshot[0]["name_en"] == "Xinghe X1 Phone"


def test_without_an_english_name_the_original_name_is_kept_once(group_buy, django_capture_on_commit_callbacks):
    _generate(django_capture_on_commit_callbacks)
    for copy in CampaignCopy.objects.filter(language="en"):
        assert copy.status == "ready", (copy.text, copy.reasons)
        assert copy.text.count("云朵记忆枕") <= 1 and "周末拼团" not in copy.text, copy.text


def test_a_campaign_of_several_products_names_its_kind_in_english(coupon, django_capture_on_commit_callbacks):
    _generate(django_capture_on_commit_callbacks)
    for copy in CampaignCopy.objects.filter(language="en"):
        assert copy.status == "ready", (copy.text, copy.reasons)
        assert "会员日" not in copy.text, copy.text
    assert all("会员日" in c.text for c in CampaignCopy.objects.filter(language="zh", channel="title"))


def test_another_products_english_name_in_copy_is_caught(shop, flash_sale):
    shop["pillow"].name_en = "Cloud Memory Pillow"
    shop["pillow"].save()
    facts = svc.rule_facts(flash_sale)
    check = svc.check_copy("Cloud Memory Pillow: flash price ¥1799", channel="title", language="en", facts=facts,
                           catalogue_names=svc.catalogue_names())
    assert not check.ok and any("Cloud Memory Pillow" in r for r in check.reasons)


def test_variants_of_one_campaign_differ(flash_sale, group_buy, coupon, django_capture_on_commit_callbacks):
    _generate(django_capture_on_commit_callbacks, params={"variants": 4})
    groups = defaultdict(list)
    for copy in CampaignCopy.objects.all():
        groups[(copy.campaign_id, copy.channel, copy.language)].append(copy.text)
    assert len(groups) == 3 * 6 * 2
    same = {key: texts for key, texts in groups.items() if len(set(texts)) != len(texts)}
    assert same == {}


class _Repetitive(BaseBackend):
    """Writes one text for every request unless asked with a seed: the case the re-ask is for."""

    def generate(self, requests):
        return [GenerationResult("same text" if r.seed is None else f"text {r.seed}", 1, 1, 0.0, "rep", "stop")
                for r in requests]


def test_a_backend_that_repeats_itself_is_asked_again_with_another_seed(flash_sale):
    flash_sale.products_snapshot = [{"id": 1, "name": "星河 X1 手机", "price": "1999"}]
    requests = svc.build_copy_requests(flash_sale, channels=["title"], languages=["zh"], variants=3)
    texts = [r.text for r in svc.generate_distinct(_Repetitive(), requests)]
    assert texts[0] == "same text" and len(set(texts)) == 3
    # requests of different campaigns are not each other's repeats
    other = [(c, lang, v, replace(req, facts=req.facts[1:])) for c, lang, v, req in requests[:1]]
    assert [r.text for r in svc.generate_distinct(_Repetitive(), requests[:1] + other)] == ["same text", "same text"]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_language_facts_are_labelled_in_their_language(flash_sale, language):
    facts = svc.language_facts(svc.rule_facts(flash_sale), language)
    price = next(f for f in facts if f.key == "price")
    assert price.label == ("活动价" if language == "zh" else "deal price")
