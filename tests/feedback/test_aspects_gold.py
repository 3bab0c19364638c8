"""The aspect gold set (ecom_ai/data/aspects_gold.csv) parses and uses only the canonical slugs and polarities."""
from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "ecom_ai" / "data" / "aspects_gold.csv"
ASPECTS_CANDIDATES = [
    ROOT / "ecom_ai" / "data" / "aspects.json",
    ROOT / "shared" / "data" / "aspects.json",
    ROOT.parent / "shared" / "data" / "aspects.json",
    Path("/work/shared/data/aspects.json"),
]
CATEGORIES = {"书籍", "平板", "手机", "水果", "洗发水", "热水器", "蒙牛", "衣服", "计算机", "酒店"}


@pytest.fixture(scope="module")
def rows():
    with GOLD.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["id", "split", "cat", "label", "review", "aspects"]
        return list(reader)


def gold_pairs(value):
    return [tuple(part.split(":")) for part in value.split(";")] if value else []


def test_gold_has_enough_distinct_reviews_in_both_splits(rows):
    assert len(rows) >= 400
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(r["review"].strip() for r in rows)
    splits = Counter(r["split"] for r in rows)
    assert set(splits) == {"dev", "test"} and min(splits.values()) >= 150
    assert {r["cat"] for r in rows} == CATEGORIES
    assert {r["label"] for r in rows} == {"0", "1"}


def test_gold_aspects_are_slug_polarity_pairs_without_repeats(rows):
    for r in rows:
        pairs = gold_pairs(r["aspects"])
        assert all(len(p) == 2 and p[1] in {"pos", "neg", "mixed"} for p in pairs), r
        assert len({p[0] for p in pairs}) == len(pairs), r
    judged = sum(1 for r in rows if r["aspects"])
    assert judged >= 0.7 * len(rows)


def test_gold_slugs_are_the_canonical_ones(rows):
    path = next((p for p in ASPECTS_CANDIDATES if p.exists()), None)
    if path is None:
        pytest.skip("aspects.json (shared/data) is not here")
    slugs = set(json.loads(path.read_text(encoding="utf-8"))["aspects"])
    used = {slug for r in rows for slug, _ in gold_pairs(r["aspects"])}
    assert used <= slugs, used - slugs
    assert len(used) == len(slugs)  # every canonical aspect is judged at least once
