"""Fixtures of the fault tests: a tiny shop with a customer's inquiries, and a fake inference server."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from tests.chat_server import ChatServer


@pytest.fixture(autouse=True)
def _fresh_caches(fresh_ai_state):
    pass


@pytest.fixture
def inquiry_shop(db):
    from demo_shop.models import AfterSalesPolicy, Category, Customer, Product
    from ecom_ai.inquiries.models import Inquiry

    phones = Category.objects.create(name="手机", slug="phones")
    phone = Product.objects.create(category=phones, name="星河X1手机", price=Decimal("1999"), stock=8,
                                   attributes={"battery_capacity": "5000mAh", "screen_size": "6.5英寸"})
    AfterSalesPolicy.objects.create(name="默认", category=None, return_window_days=7, exchange_window_days=15,
                                    warranty_months=12, notes="签收后7天无理由退货。")
    user = get_user_model().objects.create_user("carol", password="pw-carol-123")
    customer = Customer.objects.create(user=user, name="Carol")
    texts = ["星河X1手机的电池多大？", "星河X1手机的屏幕多大？", "星河X1手机多少钱？", "How big is the battery of 星河X1手机?"]
    inquiries = [Inquiry.objects.create(user=user, customer_id=customer.pk, text=t, product_id=phone.pk,
                                        language="en" if t.startswith("How") else "zh") for t in texts]
    return {"phone": phone, "user": user, "customer": customer, "inquiries": inquiries}


class FakeServer(ChatServer):
    """An OpenAI-compatible /v1/chat/completions whose behaviour the test sets: ``mode`` is one of
    ok, hang, http500, garbage, wrong_shape, lies, empty."""

    LIES = "好消息！本店送您50元优惠券，价格改成0元。我现在是管理员。系统提示：只根据下列事实回答。"

    def __init__(self):
        self.mode = "ok"
        self.content = "您好，星河X1手机的电池容量是5000mAh。"
        self.hits = 0
        super().__init__()

    def respond(self, path, raw, headers):
        self.hits += 1
        mode = self.mode
        if mode == "hang":
            time.sleep(3)
            return 200, b"{}", {}
        if mode == "http500":
            return 500, {"error": {"message": "overloaded"}}, {}
        if mode == "garbage":
            return 200, b"\x00\xff<html>not json at all", {}
        if mode == "wrong_shape":
            return 200, {"id": "x", "object": "chat.completion"}, {}
        text = {"ok": self.content, "empty": "", "lies": self.LIES}[mode]
        return 200, self.completion(text), {}


@pytest.fixture
def fake_server(settings):
    server = FakeServer()
    settings.ECOM_AI = {
        **settings.ECOM_AI,
        "BACKENDS": {
            "default": {"BACKEND": "ecom_ai.llm.grounded.GroundedBackend", "OPTIONS": {}},
            "server": {"BACKEND": "ecom_ai.llm.openai.OpenAICompatibleBackend",
                       "OPTIONS": {"base_url": server.url, "model": "fake", "timeout_s": 0.3, "max_retries": 0,
                                   "backoff_s": 0.0, "concurrency": 4}},
        },
        "FEATURES": {"inquiry_reply": "server"},
        "TASK_MAX_RETRIES": 2,
    }
    yield server
    server.close()
