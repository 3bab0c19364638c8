"""Playwright drives Debian's chromium through the README's five steps as a shop's staff would, in
Chinese and in English: log in, select rows, run an AI action, follow the job to its result in at most
two clicks, edit and approve a reply, choose a copy variant. Job pages are read-only, and no page of
the app shows untranslated English in the Chinese admin outside the shop's own data.

The live server runs in a thread of the test process; Celery tasks run eagerly there, so each job
finishes during the request that starts it. Screenshots per step land in var/screenshots/.
"""
from __future__ import annotations

import json
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


@pytest.fixture(params=["zh-hans", "en"])
def lang(request):
    return request.param


@pytest.fixture
def page(live_server, lang):
    _need_browser()
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(locale="zh-CN" if lang == "zh-hans" else "en-US",
                                      extra_http_headers={"Accept-Language": "zh-Hans" if lang == "zh-hans" else "en"},
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        pg = context.new_page()
        errors = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.base = live_server.url
        pg.lang = lang
        pg.clicks = 0
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
    # every buyer has a phone and the book: a consumable leaves something to recommend (no second phone)
    fruit = Category.objects.create(name="水果", slug="fruit")
    Product.objects.create(category=fruit, name="智利车厘子 2斤装", price=Decimal("129"), stock=30, consumable=True,
                           attributes={"origin": "智利"})
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
    page.screenshot(path=str(SHOTS / f"{page.lang}-{name}.png"), full_page=True)


def _label(page, text):
    """A string as the admin shows it in the page's language."""
    from django.utils import translation

    with translation.override(page.lang):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def _click(page, locator):
    page.clicks += 1
    locator.click()


#: words an untranslated Chinese page may still show: names of things, units, formats
_ALLOWED_LATIN = {"AI", "API", "CSV", "JSON", "SMS", "URL", "ID", "Django", "mAh", "GB", "TB", "MB", "RAM", "ROM", "SVG",
                  "ndcg", "NDCG", "recall", "Celery"}
_LATIN = re.compile(r"[A-Za-z][A-Za-z’'-]{2,}")


def _shop_data():
    """Every string the shop or its customers wrote, which a page may show in whatever language it is in."""
    from demo_shop.models import Category, Customer, Product, Review
    from ecom_ai.campaigns.models import Campaign, CampaignCopy
    from ecom_ai.jobs.models import AIJob
    from ecom_ai.recommendations.models import RecommendationSet

    data = set(Product.objects.values_list("name", flat=True)) | set(Category.objects.values_list("name", flat=True))
    for attrs in Product.objects.values_list("attributes", flat=True):
        data |= {str(v) for v in (attrs or {}).values()} | set(attrs or {})
    data |= set(Customer.objects.values_list("name", flat=True)) | set(Review.objects.values_list("text", flat=True))
    data |= set(get_user_model().objects.values_list("username", flat=True))
    data |= set(get_user_model().objects.values_list("email", flat=True))
    data |= set(Campaign.objects.values_list("name", flat=True)) | set(CampaignCopy.objects.values_list("text", flat=True))
    data |= set(RecommendationSet.objects.values_list("model_version", flat=True))
    for params in AIJob.objects.values_list("params", flat=True):
        data |= {str(k) for k in params or {}} | {str(v) for v in (params or {}).values()}
    # machine identifiers staff read as codes: backends, model ids, fact keys and sources, stored JSON, test-only kinds
    from ecom_ai.feedback.models import FeedbackSummary
    from ecom_ai.inquiries.models import ReplyDraft

    data |= set(AIJob.objects.values_list("kind", flat=True))
    for backend, model_id, facts in ReplyDraft.objects.values_list("backend", "model_id", "facts"):
        data |= {backend, model_id} | {json.dumps(fact, ensure_ascii=False) for fact in facts or []}
        data |= {str(v) for fact in facts or [] for pair in fact.items() for v in pair}
    for row in FeedbackSummary.objects.values_list("backend", "model_id", "sentiment_source"):
        data |= set(row)
    for params, items in RecommendationSet.objects.values_list("params", "items"):
        data |= {json.dumps(params, ensure_ascii=False)} | {str(it.get("source", "")) for it in items or []}
        data |= {str(v) for pair in (params or {}).items() for v in pair}
    return {d for d in data if d}


def _assert_translated(page):
    """In the Chinese admin, no English outside the shop's data, names and units."""
    if page.lang != "zh-hans":
        return
    # what a reader sees: Django's own screen-reader-only captions are left out
    text = page.evaluate("""() => [...document.querySelectorAll('#content, #nav-sidebar, #site-name, .breadcrumbs')]
        .map(el => { const c = el.cloneNode(true);
                     c.querySelectorAll('.visually-hidden, script, style, template').forEach(n => n.remove());
                     c.querySelectorAll('*').forEach(n => n.append(' '));
                     return c.textContent; }).join('\\n')""")
    for d in sorted(_shop_data(), key=len, reverse=True):
        text = text.replace(d, " ")
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|https?://\S+|\S+@\S+|[\w.-]+\.(?:py|csv|json|png)\b", " ", text)
    words = sorted({w for w in _LATIN.findall(text) if w not in _ALLOWED_LATIN})
    assert not words, f"untranslated English on {page.url}: {words[:30]}"


def _login(page):
    page.goto(page.base + "/admin/login/?next=/admin/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "pw-manager-123")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    _assert_translated(page)


def _run_action(page, changelist, action, shot):
    """Select every row, run the action, follow the job link (click 1) and wait until the job page says
    done; the job page is read-only."""
    from ecom_ai.jobs.models import AIJob

    page.goto(page.base + changelist)
    _assert_translated(page)
    page.check("#action-toggle")
    page.select_option("select[name=action]", action)
    _shot(page, f"{shot}-1-selected")
    page.click("button[name=index]")
    page.clicks = 0
    _click(page, page.locator('ul.messagelist a[href*="/admin/ecom_ai/aijob/"]').first)
    page.wait_for_url(re.compile(r"/admin/ecom_ai/aijob/\d+/change/"))
    status = page.locator(".field-state_display .readonly")
    status.filter(has_text=_label(page, AIJob.Status.DONE.label)).wait_for(timeout=30_000)
    assert page.locator(".ecom-ai-progress-text").first.inner_text().strip() == "100%"
    assert page.locator("input[name=_save], input[name=_continue], input[name=_addanother]").count() == 0, \
        "a job page offers to save"
    _assert_translated(page)
    _shot(page, f"{shot}-2-job-done")
    return int(re.search(r"/aijob/(\d+)/", page.url).group(1))


def _open_result(page, url_pattern):
    """Click 2: from the job page to one of its results."""
    _click(page, page.locator("td.field-result_link a").first)
    page.wait_for_url(re.compile(url_pattern))
    assert page.clicks <= 2, f"{page.clicks} clicks from the action to its result"
    _assert_translated(page)


def test_draft_ai_replies_then_edit_and_approve(page, demo):
    from ecom_ai.jobs.models import AIJob
    from ecom_ai.inquiries.models import ReplyDraft

    _login(page)
    job_id = _run_action(page, "/admin/ecom_ai/inquiry/", "start_inquiry_reply_job", "inquiries")
    job = AIJob.objects.get(pk=job_id)
    assert job.status == "done" and job.n_done == 3
    # open a draft from the job page, then the compare-and-reply page
    _open_result(page, r"/admin/ecom_ai/replydraft/\d+/change/")
    inquiry = demo["inquiries"][0]
    page.goto(page.base + f"/admin/ecom_ai/inquiry/{inquiry.pk}/reply/")
    assert "5000mAh" in page.locator(".ecom-ai-draft").inner_text()
    _assert_translated(page)
    _shot(page, "inquiries-3-draft")
    page.fill("textarea[name=text]", "您好，星河X1手机的电池容量是5000mAh，续航一整天没问题。")
    page.click("button[value=approve]")
    page.locator("ul.messagelist li.success").wait_for()
    _assert_translated(page)
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
    _open_result(page, r"/admin/ecom_ai/recommendationset/\d+/change/")
    assert page.locator(".field-items_table table tbody tr").count() >= 1
    _shot(page, "recommendations-3-set")
    assert RecommendationSet.objects.filter(job_id=job_id).count() == len(demo["customers"])
    # the shop's own customer page shows the same list by product name
    stored = RecommendationSet.objects.filter(job_id=job_id).exclude(items=[]).first()
    page.goto(page.base + f"/admin/demo_shop/customer/{stored.customer_id}/change/")
    from demo_shop.models import Product

    first = Product.objects.get(pk=stored.items[0]["product_id"])
    assert first.name in page.locator(".field-ai_recommendations").inner_text()
    _assert_translated(page)
    _shot(page, "recommendations-4-customer-page")


def test_summarise_feedback_for_products(page, demo):
    from ecom_ai.feedback.models import FeedbackSummary

    _login(page)
    _run_action(page, "/admin/demo_shop/product/", "start_feedback_summary_job", "feedback")
    summary = FeedbackSummary.objects.get(product_id=demo["phone"].pk)
    _open_result(page, r"/admin/ecom_ai/feedbacksummary/\d+/change/")
    page.goto(page.base + f"/admin/ecom_ai/feedbacksummary/{summary.pk}/change/")
    assert "星河X1手机" in page.content()
    assert page.locator("svg").count() >= 1, "the weekly trend chart is drawn"
    _assert_translated(page)
    _shot(page, "feedback-3-summary")
    page.goto(page.base + f"/admin/demo_shop/product/{demo['phone'].pk}/change/")
    assert page.locator(".field-ai_feedback_summary a").count() == 1
    _assert_translated(page)
    _shot(page, "feedback-4-product-page")


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
    _open_result(page, r"/admin/ecom_ai/campaign/\d+/change/")
    _run_action(page, "/admin/ecom_ai/campaign/", "start_campaign_copy_job", "campaigns-copy")
    _open_result(page, r"/admin/ecom_ai/campaign/\d+/change/")
    assert CampaignCopy.objects.filter(campaign=campaign).exists()
    page.goto(page.base + f"/admin/ecom_ai/campaign/{campaign.pk}/change/")
    _assert_translated(page)
    choose = page.locator("td[data-copy] input[type=submit]")
    assert choose.count() >= 1, "no variant is ready to choose"
    _shot(page, "campaigns-3-variants")
    chosen_id = int(choose.first.locator("xpath=ancestor::td[@data-copy]").get_attribute("data-copy"))
    choose.first.click()
    page.locator("ul.messagelist li.success").wait_for()
    _assert_translated(page)
    _shot(page, "campaigns-4-chosen")
    assert CampaignCopy.objects.get(pk=chosen_id).status == "chosen"
