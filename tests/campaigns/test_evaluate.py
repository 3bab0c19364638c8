"""``manage.py ecom_ai evaluate campaigns``: at least 100 copies, 0 mismatches and 0 banned terms among ready ones."""
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from ecom_ai.jobs.models import AIJob
from ecom_ai.campaigns.models import Campaign, CampaignCopy
from ecom_ai.campaigns import services as svc


def _evaluate(*args):
    out = StringIO()
    call_command("ecom_ai", "evaluate", "campaigns", *args, stdout=out)
    return out.getvalue()


def test_evaluate_on_the_catalogue_reports_zero_and_zero_and_leaves_nothing(shop):
    text = _evaluate("--json")
    assert "number mismatches among ready: 0" in text
    assert "banned terms among ready: 0" in text
    assert "(products: catalogue" in text
    metrics = svc.evaluate(out=StringIO(), seed=1)
    assert metrics["copies"] >= 100 and metrics["ready"] > 0
    assert metrics["ready_number_mismatches"] == 0 and metrics["ready_banned_terms"] == 0
    assert metrics["sms_max_chars"] <= 70
    assert not Campaign.objects.exists() and not CampaignCopy.objects.exists() and not AIJob.objects.exists()


def test_evaluate_on_an_empty_catalogue_uses_synthetic_products(db):
    metrics = svc.evaluate(out=StringIO(), limit=3)
    assert metrics["product_source"] == "synthetic" and metrics["copies"] >= 100
    assert metrics["ready_number_mismatches"] == 0 and metrics["ready_banned_terms"] == 0


def test_evaluate_with_a_bad_model_marks_nothing_ready(shop):
    bad = {**settings.ECOM_AI, "BACKENDS": {"bad": {"BACKEND": "tests.campaigns.fakes.BadCopyBackend"}}}
    with override_settings(ECOM_AI=bad):
        text = _evaluate("--model", "bad")
    assert "; ready: 0;" in text and "number mismatches among ready: 0" in text


def test_evaluate_refuses_what_it_cannot_do(db):
    with pytest.raises(CommandError, match="no backend alias"):
        _evaluate("--model", "nope")
    with pytest.raises(CommandError, match="csv"):
        _evaluate("--csv", "x.csv")


def test_the_audit_catches_what_the_checks_catch(flash_sale):
    terms = svc.banned_terms()
    assert svc.audit_copy("星河 X1 手机 秒杀价1799元，原价1999元，限量100件", flash_sale, terms=terms) == ([], [])
    mismatches, banned = svc.audit_copy("星河 X1 手机 秒杀价1699元，全网最低", flash_sale, terms=terms)
    assert mismatches == ["1699元"] and "全网最低" in banned
