"""Playwright drives Debian's chromium through the admin as a shop's staff would: log in, select rows,
run an AI action, watch the job reach done, open the result, edit and approve a reply.

The live server runs in a thread of the test process; Celery tasks run eagerly there, so each job
finishes during the request that starts it. Screenshots per step land in var/screenshots/.
"""
from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

pytestmark = [pytest.mark.browser]

# Playwright's sync API runs an event loop in this thread; the ORM calls below are still plain sync calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "screenshots"
CHROMIUM = os.environ.get("ECOM_AI_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _need_browser():
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        why = "the playwright package is not installed"
    else:
        why = "" if (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)) else f"no chromium at {CHROMIUM} (apt-get install chromium)"
    if why:
        if os.environ.get("ECOM_AI_REQUIRE_SERVICES") == "1":
            pytest.fail(f"ECOM_AI_REQUIRE_SERVICES=1 but {why}", pytrace=False)
        pytest.skip(why)


@pytest.fixture
def page(live_server):
    _need_browser()
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en"},
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        pg = context.new_page()
        errors = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.base = live_server.url
        yield pg
        context.close()
        browser.close()
        assert not errors, f"JavaScript errors on the admin pages: {errors}"


@pytest.fixture(autouse=True)
def _fresh_caches(fresh_ai_state):
    """Process-level snapshots (catalogue, fallback recommender, throttles) from earlier tests must not leak in."""


@pytest.fixture
def demo(transactional_db):
    from demo_shop.models import AfterSalesPolicy, Category, Customer, Order, OrderLine, Product, Review
    from ecom_ai.inquiries.models import Inquiry

    User = get_user_model()
    staff = User.objects.create_superuser("manager", "m@example.com", "pw-manager-123")
    phones = Category.objects.create(name="手机", slug="phones")
    books = Category.objects.create(name="书籍", slug="books")
    phone = Product.objects.create(category=phones, name="星河X1手机", price=Decimal("1999"), stock=8,
                                   attributes={"battery_capacity": "5000mAh", "screen_size": "6.5英寸"})
    phone2 = Product.objects.create(category=phones, name="晨光S2手机", price=Decimal("999"), stock=5,
                                    attributes={"battery_capacity": "4200mAh"})
    book = Product.objects.create(category=books, name="《Python实战》", price=Decimal("69.90"), stock=40,
                                  attributes={"author": "王伟", "pages": 512})
    AfterSalesPolicy.objects.create(name="默认", category=None, return_window_days=7, exchange_window_days=15,
                                    warranty_months=12, notes="签收后7天无理由退货。")
    now = timezone.now()
    customers = []
    for i in range(4):
        user = User.objects.create_user(f"buyer{i}", password="pw-buyer-123")
        c = Customer.objects.create(user=user, name=f"买家{i}")
        customers.append(c)
        for product in (phone, book) if i % 2 else (phone2, book):
            order = Order.objects.create(customer=c, created_at=now - timedelta(days=10 + i), status="completed",
                                         total=product.price)
            OrderLine.objects.create(order=order, product=product, quantity=1, unit_price=product.price)
    for i, (rating, text) in enumerate([(5, "电池很耐用，续航一整天"), (1, "物流太慢了，等了一周"), (4, "屏幕清晰，手感好"),
                                        (2, "快递慢，包装破损"), (5, "性价比很高，推荐"), (5, "拍照效果很好")]):
        Review.objects.create(product=phone, customer=customers[i % 4], rating=rating, text=text,
                              created_at=now - timedelta(days=30 - 4 * i))
    inquiries = [Inquiry.objects.create(user=customers[0].user, customer_id=customers[0].pk, text=t, product_id=phone.pk)
                 for t in ("星河X1手机的电池多大？", "星河X1手机的屏幕多大？", "星河X1手机多少钱？")]
    return {"staff": staff, "phone": phone, "inquiries": inquiries, "customers": customers}


def _shot(page, name):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _login(page):
    page.goto(page.base + "/admin/login/?next=/admin/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "pw-manager-123")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def _run_action(page, changelist, action, shot):
    """Select every row, run the action, follow the job link and wait until the job page says done."""
    page.goto(page.base + changelist)
    page.check("#action-toggle")
    page.select_option("select[name=action]", action)
    _shot(page, f"{shot}-1-selected")
    page.click("button[name=index]")
    link = page.locator("ul.messagelist a", has_text="Follow its progress")
    link.wait_for()
    link.click()
    page.wait_for_url(re.compile(r"/admin/ecom_ai/aijob/\d+/change/"))
    status = page.locator(".field-state_display .readonly")
    status.filter(has_text=re.compile("Done")).wait_for(timeout=30_000)
    assert page.locator(".ecom-ai-progress-text").first.inner_text().strip() == "100%"
    _shot(page, f"{shot}-2-job-done")
    return int(re.search(r"/aijob/(\d+)/", page.url).group(1))


def test_draft_ai_replies_then_edit_and_approve(page, demo):
    from ecom_ai.jobs.models import AIJob
    from ecom_ai.inquiries.models import ReplyDraft

    _login(page)
    job_id = _run_action(page, "/admin/ecom_ai/inquiry/", "start_inquiry_reply_job", "inquiries")
    job = AIJob.objects.get(pk=job_id)
    assert job.status == "done" and job.n_done == 3
    # open a draft from the job page, then the compare-and-reply page
    page.locator(".field-result_link a, td.field-result_link a").first.click()
    page.wait_for_url(re.compile(r"/admin/ecom_ai/replydraft/\d+/change/"))
    inquiry = demo["inquiries"][0]
    page.goto(page.base + f"/admin/ecom_ai/inquiry/{inquiry.pk}/reply/")
    assert "5000mAh" in page.locator(".ecom-ai-draft").inner_text()
    _shot(page, "inquiries-3-draft")
    page.fill("textarea[name=text]", "您好，星河X1手机的电池容量是5000mAh，续航一整天没问题。")
    page.click("button[value=approve]")
    page.locator("ul.messagelist", has_text="Reply approved").wait_for()
    _shot(page, "inquiries-4-approved")
    draft = ReplyDraft.objects.filter(inquiry=inquiry).latest("id")
    assert draft.approved_by == demo["staff"] and "续航一整天" in draft.final_text
    inquiry.refresh_from_db()
    assert inquiry.status == "approved"


def test_compute_recommendations_for_customers(page, demo):
    from ecom_ai.jobs.models import AIJob
    from ecom_ai.recommendations.models import RecommendationSet

    _login(page)
    job_id = _run_action(page, "/admin/demo_shop/customer/", "start_recommendations_job", "recommendations")
    assert AIJob.objects.get(pk=job_id).n_done == len(demo["customers"])
    page.locator("td.field-result_link a").first.click()
    page.wait_for_url(re.compile(r"/admin/ecom_ai/recommendationset/\d+/change/"))
    assert page.locator(".field-items_table table tbody tr").count() >= 1
    _shot(page, "recommendations-3-set")
    assert RecommendationSet.objects.filter(job_id=job_id).count() == len(demo["customers"])


def test_summarise_feedback_for_products(page, demo):
    from ecom_ai.feedback.models import FeedbackSummary

    _login(page)
    _run_action(page, "/admin/demo_shop/product/", "start_feedback_summary_job", "feedback")
    summary = FeedbackSummary.objects.get(product_id=demo["phone"].pk)
    page.goto(page.base + f"/admin/ecom_ai/feedbacksummary/{summary.pk}/change/")
    assert "星河X1手机" in page.content()
    assert page.locator("svg").count() >= 1, "the weekly trend chart is drawn"
    _shot(page, "feedback-3-summary")


def test_campaign_suggest_rules_generate_copy_and_choose_a_variant(page, demo):
    try:
        from ecom_ai.campaigns.models import Campaign, CampaignCopy
    except ImportError:
        pytest.skip("the campaigns feature is not in this tree")
    start = timezone.now() + timedelta(days=1)
    campaign = Campaign(name="双十二大促", kind="flash_sale", starts_at=start, ends_at=start + timedelta(days=1), language="both",
                        product_ids=[demo["phone"].pk], sale_price=Decimal("1799"), stock_cap=5, per_customer_limit=1)
    campaign.full_clean()
    campaign.save()
    _login(page)
    _run_action(page, "/admin/ecom_ai/campaign/", "start_campaign_rules_job", "campaigns-rules")
    _run_action(page, "/admin/ecom_ai/campaign/", "start_campaign_copy_job", "campaigns-copy")
    assert CampaignCopy.objects.filter(campaign=campaign).exists()
    page.goto(page.base + f"/admin/ecom_ai/campaign/{campaign.pk}/change/")
    choose = page.locator("td[data-copy] input[type=submit][value=Choose]")
    assert choose.count() >= 1, "no variant is ready to choose"
    _shot(page, "campaigns-3-variants")
    chosen_id = int(choose.first.locator("xpath=ancestor::td[@data-copy]").get_attribute("data-copy"))
    choose.first.click()
    page.locator("ul.messagelist", has_text="Chosen").wait_for()
    _shot(page, "campaigns-4-chosen")
    assert CampaignCopy.objects.get(pk=chosen_id).status == "chosen"
