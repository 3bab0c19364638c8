"""The shop's own product and customer pages show their AI results, by name, escaped, with links."""
import pytest

from demo_shop.models import Customer, Product
from ecom_ai.feedback.models import FeedbackSummary
from ecom_ai.recommendations.models import RecommendationSet
from tests import factories as f


@pytest.fixture
def shop(db):
    f.seeded_demo(seed=1, products=30, customers=20)


def test_a_customer_page_shows_the_recommended_products_by_name_with_price_and_stock(shop, admin_client):
    customer = Customer.objects.order_by("pk").first()
    products = list(Product.objects.order_by("pk")[:2])
    RecommendationSet.objects.create(customer_id=customer.pk, model_version="v1", items=[
        {"product_id": p.pk, "score": 1.0, "reason": "<b>因为</b>您喜欢", "reason_ok": True} for p in products])
    page = admin_client.get(f"/admin/demo_shop/customer/{customer.pk}/change/").content.decode()
    for p in products:
        assert p.name in page and f"/admin/demo_shop/product/{p.pk}/change/" in page
        assert f"<td>{p.stock}</td>" in page
    assert "&lt;b&gt;因为&lt;/b&gt;" in page and "<b>因为</b>" not in page


def test_a_customer_without_recommendations_is_told_how_to_get_them(shop, admin_client):
    customer = Customer.objects.order_by("pk").first()
    page = admin_client.get(f"/admin/demo_shop/customer/{customer.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Compute recommendations" in page and "<table" not in page.split("field-ai_recommendations")[1][:2000]


def test_a_product_page_shows_its_latest_feedback_summary_escaped_with_a_link(shop, admin_client):
    product = Product.objects.order_by("pk").first()
    old = FeedbackSummary.objects.create(product_id=product.pk, text="older summary", review_count=1)
    new = FeedbackSummary.objects.create(product_id=product.pk, text="<script>x()</script> 口感好", review_count=3,
                                         positive_count=2, negative_count=1)
    page = admin_client.get(f"/admin/demo_shop/product/{product.pk}/change/").content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt; 口感好" in page and "<script>x()" not in page
    assert f"/admin/ecom_ai/feedbacksummary/{new.pk}/change/" in page
    assert old.text not in page


def test_the_add_pages_show_no_ai_panel(shop, admin_client):
    assert admin_client.get("/admin/demo_shop/product/add/").status_code == 200
    page = admin_client.get("/admin/demo_shop/customer/add/").content.decode()
    assert "field-ai_recommendations" not in page
