"""Playwright walks the admin's Impact page as staff would: from the app index to the charts, the A/B
readout and the CSV export. The screenshot lands in var/screenshots/en-impact.png."""
from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_admin_steps import ARGS, CHROMIUM, SHOTS, _need_browser

pytestmark = [pytest.mark.browser]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def figures(shop):
    from ecom_ai.impact import experiments
    from ecom_ai.impact.models import Experiment, ImpactEvent

    exp = Experiment.objects.create(name="rec-ab", kind="recommender", min_per_arm=20, starts_at=timezone.now() - timedelta(days=10),
                                    arms=[{"name": "control", "serves": "popular", "share": 0.5},
                                          {"name": "new", "serves": "als-v2", "share": 0.5}])
    now, rows = timezone.now(), []
    for cid in range(1, 121):
        arm = experiments.assign(exp, cid)
        for day in range(3):
            at = now - timedelta(days=day, hours=1)
            rows.append(ImpactEvent(customer_id=cid, event_id=f"i{day}", kind="impression", source="recommendation",
                                    product_id=shop["phone"].pk, model_version=arm["serves"], occurred_at=at))
            if (cid + day) % (3 if arm["name"] == "new" else 6) == 0:
                rows.append(ImpactEvent(customer_id=cid, event_id=f"c{day}", kind="click", source="recommendation",
                                        product_id=shop["phone"].pk, model_version=arm["serves"], occurred_at=at))
    ImpactEvent.objects.bulk_create(rows)
    _improvement_done_three_weeks_ago(shop)
    shop["staff"].set_password("pw-staff-123")
    shop["staff"].save()
    return exp


def _improvement_done_three_weeks_ago(shop):
    """A delivery complaint acted on three weeks ago, and a newer summary whose weeks after show fewer complaints."""
    from ecom_ai.feedback import services
    from ecom_ai.feedback.models import ImprovementAction
    from tests.impact.test_feedback_actions import ACTION, _monday, _summary, _week

    services.mark_actions_done([_summary(shop, actions=[ACTION])], user=shop["staff"])
    done_at = timezone.now() - timedelta(days=21)
    ImprovementAction.objects.update(done_at=done_at)
    base = _monday(done_at)
    _summary(shop, trend=[_week(base - timedelta(days=7 * k), 30, 12, 10) for k in (2, 1)]
             + [_week(base + timedelta(days=7 * k), 30, 6, 1) for k in (1, 2)])


def test_staff_walk_from_the_app_index_to_the_impact_page(live_server, figures):
    _need_browser()
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en"},
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(live_server.url + "/admin/login/?next=/admin/ecom_ai/")
        page.fill("#id_username", "staff")
        page.fill("#id_password", "pw-staff-123")
        page.click("input[type=submit]")
        page.wait_for_url(re.compile(r"/admin/ecom_ai/$"))
        page.click('a[href$="/admin/ecom_ai/impactreport/"]')
        page.wait_for_url(re.compile(r"/admin/ecom_ai/impactreport/$"))
        assert page.locator("figure.ecom-ai-chart svg").count() >= 2
        assert page.locator("figure.ecom-ai-chart polyline").count() >= 2
        page.click('a[href="?days=7"]')
        page.wait_for_url(re.compile(r"days=7"))
        body = page.locator("#content-main").inner_text()
        assert "rec-ab" in body and "A difference at the 5% level." in body
        assert "als-v2" in body and "popular" in body
        assert "Fewer complaints since." in body and "33.33% (20 / 60)" in body and "3.33% (2 / 60)" in body
        href = page.locator('a[href*="/impactreport/export.csv"]').get_attribute("href")
        assert href.endswith("days=7")
        page.screenshot(path=str(SHOTS / "en-impact.png"), full_page=True)
        csv = page.request.get(live_server.url + href)
        assert csv.status == 200 and "experiment:rec-ab" in csv.text()
        context.close()
        browser.close()
    assert not errors, errors
