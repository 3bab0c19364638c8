"""The demo shop's own catalogue, customers, orders, shipments, reviews, browsing events and after-sales policies."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Product(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        INACTIVE = "inactive", _("inactive")

    category = models.ForeignKey(Category, models.PROTECT, related_name="products", verbose_name=_("category"))
    name = models.CharField(_("name"), max_length=200, db_index=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, default=Decimal("0"))
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, default=Decimal("0"))
    stock = models.IntegerField(_("stock"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    consumable = models.BooleanField(_("consumable"), default=False, help_text=_("May be recommended again after purchase."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["id"]
        indexes = [models.Index(fields=["category", "status"], name="demo_product_cat_status")]

    def __str__(self):
        return self.name


class Customer(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="demo_customer", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, db_index=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Order(models.Model):
    class Status(models.TextChoices):
        PAID = "paid", _("paid")
        SHIPPED = "shipped", _("shipped")
        DELIVERED = "delivered", _("delivered")
        COMPLETED = "completed", _("completed")
        REFUNDED = "refunded", _("refunded")
        CANCELLED = "cancelled", _("cancelled")

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="orders", verbose_name=_("customer"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PAID, db_index=True)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="demo_order_cust_created"),
            models.Index(fields=["created_at"], name="demo_order_created"),
        ]

    def __str__(self):
        return f"#{self.pk}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, models.CASCADE, related_name="lines", verbose_name=_("order"))
    product = models.ForeignKey(Product, models.PROTECT, related_name="order_lines", verbose_name=_("product"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]

    def __str__(self):
        return f"{self.product_id} × {self.quantity}"


class ShipmentStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SHIPPED = "shipped", _("shipped")
    IN_TRANSIT = "in_transit", _("in transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("out for delivery")
    DELIVERED = "delivered", _("delivered")
    RETURNED = "returned", _("returned")


class Shipment(models.Model):
    Status = ShipmentStatus

    order = models.ForeignKey(Order, models.CASCADE, related_name="shipments", verbose_name=_("order"))
    carrier = models.CharField(_("carrier"), max_length=50)
    tracking_number = models.CharField(_("tracking number"), max_length=50, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.PENDING, db_index=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["id"]

    def __str__(self):
        return f"{self.carrier} {self.tracking_number}"


class ShipmentEvent(models.Model):
    shipment = models.ForeignKey(Shipment, models.CASCADE, related_name="events", verbose_name=_("shipment"))
    status = models.CharField(_("status"), max_length=20, choices=ShipmentStatus.choices)
    at = models.DateTimeField(_("at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")
        ordering = ["shipment", "at", "id"]

    def __str__(self):
        return f"{self.get_status_display()} @ {self.at:%Y-%m-%d %H:%M}"


class Review(models.Model):
    product = models.ForeignKey(Product, models.CASCADE, related_name="reviews", verbose_name=_("product"))
    customer = models.ForeignKey(
        Customer, models.SET_NULL, null=True, blank=True, related_name="reviews", verbose_name=_("customer")
    )
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    verified_purchase = models.BooleanField(_("verified purchase"), default=False)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "-created_at"], name="demo_review_prod_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="demo_review_rating_1_5"),
        ]

    def __str__(self):
        return f"{self.product_id} ★{self.rating}"


class BrowsingEvent(models.Model):
    class Kind(models.TextChoices):
        VIEW = "view", _("view")
        CART = "cart", _("add to cart")
        SEARCH = "search", _("search")

    customer = models.ForeignKey(Customer, models.CASCADE, related_name="browsing_events", verbose_name=_("customer"))
    product = models.ForeignKey(
        Product, models.CASCADE, null=True, blank=True, related_name="browsing_events", verbose_name=_("product")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    query = models.CharField(_("query"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("browsing event")
        verbose_name_plural = _("browsing events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "at"], name="demo_browse_cust_at"),
            models.Index(fields=["at"], name="demo_browse_at"),
        ]

    def __str__(self):
        return f"{self.customer_id} {self.kind}"


class AfterSalesPolicy(models.Model):
    name = models.CharField(_("name"), max_length=100)
    category = models.OneToOneField(
        Category,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="after_sales_policy",
        verbose_name=_("category"),
        help_text=_("Empty: the shop-wide default."),
    )
    return_window_days = models.PositiveIntegerField(_("return window (days)"), default=7)
    exchange_window_days = models.PositiveIntegerField(_("exchange window (days)"), default=15)
    warranty_months = models.PositiveIntegerField(_("warranty (months)"), default=12)
    shipping_fee = models.DecimalField(_("shipping fee"), max_digits=8, decimal_places=2, default=Decimal("0"))
    free_shipping_over = models.DecimalField(
        _("free shipping over"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("after-sales policy")
        verbose_name_plural = _("after-sales policies")
        ordering = ["category_id", "id"]

    def __str__(self):
        return self.name
