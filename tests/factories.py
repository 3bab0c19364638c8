"""One place that makes the rows tests need: the shop's catalogue, customers, orders and reviews, staff
users, and seeded demo shops. Each feature's `shop` fixture composes its scenario from these."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone


def category(name: str, slug: str | None = None):
    from demo_shop.models import Category

    return Category.objects.get_or_create(name=name, defaults={"slug": slug or f"c{Category.objects.count() + 1}"})[0]


def product(cat, name: str, *, price="100", **fields):
    """A product of category ``cat`` (a Category or its name)."""
    from demo_shop.models import Product

    if isinstance(cat, str):
        cat = category(cat)
    fields.setdefault("stock", 10)
    return Product.objects.create(category=cat, name=name, price=Decimal(str(price)), **fields)


def user(username: str, *, password: str = "pw-user-123", **fields):
    return get_user_model().objects.create_user(username, password=password, **fields)


def customer(name: str, *, username: str | None = None, **fields):
    """A customer, signed up as ``username`` when one is given."""
    from demo_shop.models import Customer

    account = user(username) if username else None
    return Customer.objects.create(name=name, user=account, **fields)


def order(cust, products, *, days_ago: float = 0, status: str = "completed", quantity: int = 1):
    """An order of ``cust`` with one line per product, placed ``days_ago`` days ago."""
    from demo_shop.models import Order, OrderLine

    total = sum((p.price * quantity for p in products), Decimal("0"))
    placed = Order.objects.create(customer=cust, created_at=timezone.now() - timedelta(days=days_ago), status=status,
                                  total=total)
    for p in products:
        OrderLine.objects.create(order=placed, product=p, quantity=quantity, unit_price=p.price)
    return placed


def review(prod, rating: int, text: str, *, cust=None, days_ago: float = 0, at=None):
    """A review of ``prod``, written ``days_ago`` days ago (or at ``at``)."""
    from demo_shop.models import Review

    return Review.objects.create(product=prod, customer=cust, rating=rating, text=text,
                                 created_at=at or timezone.now() - timedelta(days=days_ago))


def policy(*, category=None, return_window_days=7, exchange_window_days=15, warranty_months=12, **fields):
    from demo_shop.models import AfterSalesPolicy

    fields.setdefault("name", category.name if category else "默认")
    return AfterSalesPolicy.objects.create(category=category, return_window_days=return_window_days,
                                           exchange_window_days=exchange_window_days,
                                           warranty_months=warranty_months, **fields)


def staff_user(username: str = "staffer", *, password: str = "pw-staff-123", app_label: str = "ecom_ai"):
    """A staff member holding every permission of ``app_label`` (not a superuser)."""
    staff = user(username, password=password, is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label=app_label))
    return staff


def seeded_demo(*, seed: int = 1, products: int = 60, customers: int = 120, reset: bool = False):
    """The demo shop's own generator, small: categories, products, customers with hidden tastes, orders,
    shipments, reviews and browsing events."""
    args = ["--seed", str(seed), "--products", str(products), "--customers", str(customers)]
    call_command("seed_demo", *(["--reset"] if reset else []), *args, verbosity=0)
