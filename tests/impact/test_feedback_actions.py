"""Feedback impact: staff mark a summary's improvement actions done; the Impact page compares the share of
reviews blaming each aspect in the weeks before and after, from the product's latest summary."""
from datetime import timedelta

from django.utils import timezone

from ecom_ai.feedback.models import FeedbackSummary, ImprovementAction
from ecom_ai.impact import metrics
from ecom_ai.impact.experiments import two_proportion
from tests.impact.conftest import client_for

ACTION = {"theme": "logistics", "label": "物流", "team": "logistics", "negative": 18, "of": 60, "review_ids": [1, 2],
          "text": "物流：60条评价中有18条差评提到物流 → 核查承运商（负责：物流）"}


def _monday(at):
    day = timezone.localtime(at).date()
    return day - timedelta(days=day.weekday())


def _week(start, n, judged, blamed):
    return {"week": start.isoformat(), "n": n, "positive": 0, "negative": blamed, "themes": {},
            "aspects": {"logistics": [judged, blamed]}}


def _summary(shop, **fields):
    return FeedbackSummary.objects.create(scope="product", product_id=shop["phone"].pk, product_name="华为 Mate 60",
                                          category="手机", **fields)


def test_marked_actions_are_compared_before_and_after_by_hand(shop, client):
    first = _summary(shop, actions=[ACTION])
    client.force_login(shop["staff"])
    answer = client.post("/admin/ecom_ai/feedbacksummary/", {"action": "mark_actions_done", "_selected_action": [first.pk]},
                         follow=True)
    assert answer.status_code == 200 and "1 improvement action marked done" in answer.content.decode()
    taken = ImprovementAction.objects.get()
    assert (taken.aspect, taken.team, taken.negative, taken.of, taken.done_by) == ("logistics", "logistics", 18, 60, shop["staff"])

    done_at = timezone.now() - timedelta(days=28)
    ImprovementAction.objects.update(done_at=done_at)
    base = _monday(done_at)
    _summary(shop, trend=[_week(base - timedelta(days=14), 30, 12, 9), _week(base - timedelta(days=7), 30, 10, 9),
                          _week(base, 10, 5, 5),  # the week it was done: on neither side
                          _week(base + timedelta(days=7), 25, 4, 2), _week(base + timedelta(days=14), 25, 3, 1)])

    row = metrics.feedback(timezone.now() - timedelta(days=30), timezone.now())["actions"][0]
    expected = two_proportion(18, 60, 3, 50)
    assert (row["reviews_before"], row["blaming_before"], row["reviews_after"], row["blaming_after"]) == (60, 18, 50, 3)
    assert row["share_before"] == 0.3 and row["share_after"] == 0.06
    assert abs(row["difference"] - (0.06 - 0.3)) < 1e-12 and abs(row["p_value"] - expected["p_value"]) < 1e-12
    assert row["enough_data"] and row["verdict"] == "Fewer complaints since."

    report = client_for(shop["staff"]).get("/api/ecom-ai/impact/?days=60").json()
    assert report["feedback"]["measured"] and report["feedback"]["actions"][0]["blaming_after"] == 3
    page = client.get("/admin/ecom_ai/impactreport/?days=30").content.decode()
    assert "物流" in page and "30.00%" in page and "6.00%" in page and "-24.0 pt" in page
    assert "feedback" in client.get("/admin/ecom_ai/impactreport/export.csv?days=60").content.decode()


def test_marking_again_keeps_the_date_reopening_takes_it_off_and_no_newer_summary_says_so(shop, client):
    from ecom_ai.feedback import services

    first = _summary(shop, actions=[ACTION])
    assert services.mark_actions_done([first], user=shop["staff"]) == 1
    when = ImprovementAction.objects.get().done_at
    assert services.mark_actions_done([first], user=shop["staff"]) == 0
    assert ImprovementAction.objects.get().done_at == when

    row = metrics.feedback(timezone.now() - timedelta(days=1), timezone.now() + timedelta(seconds=1))["actions"][0]
    assert row["reviews_after"] == 0 and row["verdict"].startswith("Summarise the product's feedback again")

    client.force_login(shop["staff"])
    client.post("/admin/ecom_ai/improvementaction/", {"action": "reopen",
                                                      "_selected_action": [ImprovementAction.objects.get().pk]})
    assert ImprovementAction.objects.get().status == "reopened"
    empty = metrics.feedback(timezone.now() - timedelta(days=1), timezone.now() + timedelta(seconds=1))
    assert not empty["measured"] and empty["actions"] == [] and empty["note"]
    assert services.mark_actions_done([first]) == 1  # done again, from now
    assert ImprovementAction.objects.get().status == "done"


def test_customers_without_the_permission_cannot_mark_actions(shop, client):
    first = _summary(shop, actions=[ACTION])
    shop["loner"].is_staff = True
    shop["loner"].save()
    client.force_login(shop["loner"])
    client.post("/admin/ecom_ai/feedbacksummary/", {"action": "mark_actions_done", "_selected_action": [first.pk]})
    assert not ImprovementAction.objects.exists()
