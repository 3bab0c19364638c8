"""Fixtures of the feedback tests: a small shop with reviews written to exercise themes, spam and injections."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from django.utils import timezone

from ecom_ai.llm.base import BaseBackend, GenerationResult
from tests import factories as f

START = timezone.now() - timedelta(weeks=6)


class LyingBackend(BaseBackend):
    """Writes a number and a citation that are in no fact."""

    def generate(self, requests):
        return [GenerationResult("共有 987 条评价，物流很差 [#999999]。", 10, 10, 1.0, "liar", "stop") for _ in requests]


# (rating, text, week): the logistics complaints, battery praise, screen mixed, one English review
REVIEWS = [
    (1, "物流太慢了，等了一个星期才到货", 0), (2, "快递慢，包装也破损了", 0), (1, "发货太慢，客服也不回复", 1),
    (1, "物流慢得离谱，差评", 1), (2, "配送很慢，东西还行", 2), (5, "电池很耐用，续航一整天没问题", 2),
    (5, "续航给力，充电也快", 3), (4, "电池不错，屏幕清晰", 3), (2, "屏幕有坏点，很失望", 4), (5, "屏幕显示效果很好，颜色鲜艳", 4),
    (5, "性价比很高，价格便宜", 5), (4, "外观漂亮，手感好", 5), (5, "Battery life is great and the screen is sharp", 5),
    (1, "质量太差，用了两天就坏了", 6), (5, "拍照效果很好，拍照清晰", 6), (4, "拍照不错，夜景拍照也可以", 6),
]


def make_review(product, rating, text, week=0, customer=None):
    return f.review(product, rating, text, cust=customer, at=START + timedelta(weeks=week, hours=len(text)))


@pytest.fixture
def feedback_settings(settings, tmp_path):
    settings.ECOM_AI = {**django_settings.ECOM_AI, "ARTIFACT_DIR": str(tmp_path / "artifacts")}
    return settings


@pytest.fixture
def shop(db, feedback_settings):
    phone = f.product("手机", "星河X1手机", price="1999.00", stock=10)
    other = f.product("手机", "晨光S2手机", price="999.00", stock=5)
    phones = phone.category
    customer = f.customer("张三")
    for rating, text, week in REVIEWS:
        make_review(phone, rating, text, week, customer)
    make_review(other, 5, "电池很好", 1)
    return {"category": phones, "phone": phone, "other": other, "customer": customer}


SAMPLE_ROWS = 2000


@pytest.fixture(scope="session")
def sentiment_dir(tmp_path_factory):
    """A sentiment model trained once on 2,000 rows of the shared corpus (skipped when it is absent)."""
    from ecom_ai.storage import artifacts
    from ecom_ai.feedback.services import default_csv, train_sentiment_baseline

    path = default_csv()
    if path is None or not path.exists():
        pytest.skip("the labelled review corpus (shared/data/online_shopping_reviews.dev.csv.gz) is not here")
    directory = tmp_path_factory.mktemp("sentiment")
    with override_settings(ECOM_AI={**django_settings.ECOM_AI, "ARTIFACT_DIR": str(directory)}):
        metrics = train_sentiment_baseline(out=io.StringIO(), csv=str(path), limit=SAMPLE_ROWS, shop=False, refit=False)
        artifacts.clear_cache()
    return {"dir": directory, "metrics": metrics, "csv": path}
