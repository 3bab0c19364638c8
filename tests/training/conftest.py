"""Fixtures of the training tests: a small shop (~100 texts), a tiny labelled CSV, artefacts in a temp dir."""
from __future__ import annotations

import csv
import gzip
import random

import pytest
import torch
from django.conf import settings as django_settings

from tests import factories as f

POSITIVE = ["质量很好，非常喜欢", "物流很快，包装完好", "性价比高，推荐购买", "屏幕清晰，电池耐用", "味道不错，还会回购",
            "Great quality, love it", "fast delivery and works well"]
NEGATIVE = ["质量太差，很失望", "物流太慢，包装破损", "用了两天就坏了，差评", "屏幕有坏点，退货", "味道很怪，不会再买",
            "Terrible quality, broke quickly", "slow delivery and it does not work"]

#: tiny model sizes for every test run: seconds on one thread
TINY = {"hidden": 32, "layers": 2, "heads": 2, "seq": 64, "threads": 1}


@pytest.fixture(autouse=True)
def english():
    """Messages read in English outside requests (the shell's errors are matched in English); an admin page
    speaks the language its request asks for."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def artifact_dir(settings, tmp_path, monkeypatch):
    from ecom_ai.storage import artifacts
    from ecom_ai.training import classifier

    settings.ECOM_AI = {**django_settings.ECOM_AI, "ARTIFACT_DIR": str(tmp_path / "artifacts")}
    artifacts.clear_cache()
    classifier.clear_cache()
    yield tmp_path / "artifacts"
    artifacts.clear_cache()
    classifier.clear_cache()


@pytest.fixture
def labelled_csv(tmp_path, monkeypatch):
    """A 60-row label,review CSV (gzip) that the sentiment trainers read instead of the shared corpus."""
    rng = random.Random(3)
    path = tmp_path / "reviews.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["cat", "label", "review"])
        for i in range(60):
            label = i % 2
            w.writerow(["手机", label, f"{rng.choice(POSITIVE if label else NEGATIVE)}，第{i}次"])
    monkeypatch.setenv("ECOM_AI_SENTIMENT_CSV", str(path))
    return path


@pytest.fixture
def shop(db, artifact_dir, labelled_csv):
    """Six products with descriptions and 84 rated reviews (~100 texts in all)."""
    rng = random.Random(7)
    customer = f.customer("李四")
    products = [f.product("手机", f"星河X{i}手机", price="1999.00",
                          description=f"6.{i}英寸屏幕，5000mAh电池，{i * 64}GB存储，支持快充。")
                for i in range(1, 7)]
    for i in range(84):
        good = i % 2 == 0
        f.review(products[i % 6], 5 if good else 1, f"{rng.choice(POSITIVE if good else NEGATIVE)}，用了{i % 30 + 1}天{'！' * (i % 3)}",
                 cust=customer)
    return {"products": products, "customer": customer}
