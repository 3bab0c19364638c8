"""A/B tests: a stable split, and a readout that matches a hand computation."""
import hashlib
import math
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ecom_ai.impact import experiments
from ecom_ai.impact.models import Experiment, ImpactEvent


def test_two_proportion_matches_a_hand_computation():
    # A: 30 of 200 (15%), B: 50 of 200 (25%).
    # pooled p = 80/400 = 0.2; se0 = sqrt(0.2*0.8*(1/200+1/200)) = 0.04; z = 0.10/0.04 = 2.5
    # p = 2*(1 - Phi(2.5)) = 2*0.0062096653 = 0.0124193
    # unpooled se = sqrt(0.15*0.85/200 + 0.25*0.75/200) = sqrt(0.001575) = 0.0396863
    # 95% CI = 0.10 -/+ 1.959964*0.0396863 = [0.0222166, 0.1777834]
    t = experiments.two_proportion(30, 200, 50, 200)
    assert t["difference"] == pytest.approx(0.10)
    assert t["z"] == pytest.approx(2.5)
    assert t["p_value"] == pytest.approx(0.0124193, abs=1e-6)
    assert t["ci_low"] == pytest.approx(0.0222166, abs=1e-6)
    assert t["ci_high"] == pytest.approx(0.1777834, abs=1e-6)
    same = experiments.two_proportion(0, 10, 0, 10)
    assert same["p_value"] == 1.0 and same["difference"] == 0
    with pytest.raises(ValueError, match="at least one customer"):
        experiments.two_proportion(0, 0, 1, 5)


def _experiment(**kw):
    defaults = dict(name="rec-ab", kind="recommender", metric="click", min_per_arm=50,
                    arms=[{"name": "control", "serves": "v1", "share": 0.5}, {"name": "new", "serves": "v2", "share": 0.5}],
                    starts_at=timezone.now() - timedelta(days=7))
    defaults.update(kw)
    return Experiment.objects.create(**defaults)


def test_the_split_is_a_stable_sha256_hash_and_follows_the_shares(db):
    exp = Experiment(name="copy-test", kind="copy", arms=[{"name": "a", "serves": 1, "share": 0.2},
                                                         {"name": "b", "serves": 2, "share": 0.8}])
    u = int.from_bytes(hashlib.sha256(b"copy-test:12345").digest()[:8], "big") / 2 ** 64
    assert experiments.bucket("copy-test", 12345) == u
    assert experiments.assign(exp, 12345)["name"] == ("a" if u < 0.2 else "b")
    counts = {"a": 0, "b": 0}
    for cid in range(1, 10001):
        counts[experiments.assign(exp, cid)["name"]] += 1
    assert 1800 < counts["a"] < 2200
    assert [experiments.assign(exp, cid)["name"] for cid in range(50)] == [experiments.assign(exp, cid)["name"] for cid in range(50)]


def test_the_readout_counts_customers_and_matches_a_hand_computation(db):
    exp = _experiment()
    now = timezone.now()
    by_arm = {"control": [], "new": []}
    cid = 0
    while min(len(v) for v in by_arm.values()) < 60:
        cid += 1
        by_arm[experiments.assign(exp, cid)["name"]].append(cid)
    rows = []
    clicked = {"control": 12, "new": 27}
    for arm, version in (("control", "v1"), ("new", "v2")):
        for i, c in enumerate(by_arm[arm][:60]):
            at = now - timedelta(days=1)
            rows.append(ImpactEvent(customer_id=c, event_id="i1", kind="impression", source="recommendation", product_id=1,
                                    model_version=version, occurred_at=at))
            rows.append(ImpactEvent(customer_id=c, event_id="i2", kind="impression", source="recommendation", product_id=2,
                                    model_version=version, occurred_at=at))
            if i < clicked[arm]:       # two clicks each: a customer still counts once
                rows += [ImpactEvent(customer_id=c, event_id=f"c{k}", kind="click", source="recommendation", product_id=k,
                                     model_version=version, occurred_at=at) for k in (1, 2)]
    # before the experiment: not counted
    rows.append(ImpactEvent(customer_id=by_arm["new"][0], event_id="old", kind="click", source="recommendation", product_id=3,
                            model_version="v2", occurred_at=now - timedelta(days=9)))
    ImpactEvent.objects.bulk_create(rows)
    ro = experiments.readout(exp, now=now)
    arms = {a["name"]: a for a in ro["arms"]}
    assert (arms["control"]["customers"], arms["control"]["successes"]) == (60, 12)
    assert (arms["new"]["customers"], arms["new"]["successes"]) == (60, 27)
    assert arms["new"]["served_other"] == 0
    c = ro["comparisons"][0]
    # by hand: 0.2 vs 0.45, pooled 39/120 = 0.325, se0 = sqrt(0.325*0.675*(2/60)) = 0.0855132, z = 0.25/0.0855132 = 2.92352
    assert c["difference"] == pytest.approx(0.25)
    assert c["z"] == pytest.approx(0.25 / math.sqrt(0.325 * 0.675 * 2 / 60))
    assert c["p_value"] == pytest.approx(0.0034614, abs=1e-5)
    assert ro["enough_data"] and c["significant"] and "5%" in ro["verdict"]
    exp.min_per_arm = 61
    small = experiments.readout(exp, now=now)
    assert not small["enough_data"] and not small["comparisons"][0]["significant"]
    assert "too small" in small["verdict"] and "60" in small["verdict"]


def test_arms_are_validated(db):
    bad = Experiment(name="x", kind="copy", starts_at=timezone.now(),
                     arms=[{"name": "a", "serves": "v1", "share": 0.5}, {"name": "a", "serves": 2, "share": 0.6}])
    with pytest.raises(ValidationError) as err:
        bad.full_clean()
    text = " ".join(err.value.messages)
    assert "campaign copy id" in text and "name of its own" in text
    bad.arms = [{"name": "a", "serves": 1, "share": 0.5}, {"name": "b", "serves": 2, "share": 0.6}]
    with pytest.raises(ValidationError, match="add up to 1"):
        bad.full_clean()
    bad.arms = [{"name": "a", "serves": 1, "share": 0.5}, {"name": "b", "serves": 2, "share": 0.5}]
    bad.full_clean()


def test_serves_names_what_the_running_experiment_shows_a_customer(db):
    exp = _experiment()
    assert experiments.serves("rec-ab", 7) == experiments.assign(exp, 7)["serves"]
    assert experiments.serves("nope", 7) is None
    exp.ends_at = timezone.now() - timedelta(days=1)
    exp.save()
    assert experiments.serves("rec-ab", 7) is None


def test_the_minimum_per_arm_defaults_to_the_setting(db, settings):
    settings.ECOM_AI = {**settings.ECOM_AI, "IMPACT": {"MIN_PER_ARM": 400}}
    exp = Experiment.objects.create(name="x", kind="copy", starts_at=timezone.now(),
                                    arms=[{"name": "a", "serves": 1, "share": 0.5}, {"name": "b", "serves": 2, "share": 0.5}])
    assert exp.min_per_arm == 400
