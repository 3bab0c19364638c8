"""Admin of the demo shop; kept fast on large tables (raw id widgets, no full counts, joined list queries)."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ecom_ai.actions import (
    CustomerRecommendationsAdminMixin,
    JobActionsMixin,
    ProductFeedbackAdminMixin,
    compute_recommendations_action,
    summarise_category_feedback_action,
    summarise_feedback_action,
)

from .models import (
    AfterSalesPolicy,
    BrowsingEvent,
    Category,
    Customer,
    Order,
    OrderLine,
    Product,
    Review,
    Shipment,
    ShipmentEvent,
)


class LargeTableAdmin(admin.ModelAdmin):
    """Defaults for tables with hundreds of thousands of rows."""

    show_full_result_count = False
    list_per_page = 50


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Product)
class ProductAdmin(ProductFeedbackAdminMixin, JobActionsMixin, LargeTableAdmin):
    actions = [summarise_feedback_action, summarise_category_feedback_action]
    list_display = ("id", "name", "category", "price", "cost", "stock", "status", "consumable")
    list_filter = ("status", "category", "consumable")
    list_select_related = ("category",)
    search_fields = ("name", "name_en")
    raw_id_fields = ("category",)
    readonly_fields = ("created_at",)
    ordering = ("-id",)


@admin.register(Customer)
class CustomerAdmin(CustomerRecommendationsAdminMixin, JobActionsMixin, LargeTableAdmin):
    actions = [compute_recommendations_action]
    list_display = ("id", "name", "city", "user", "joined_at")
    list_filter = ("city",)
    list_select_related = ("user",)
    search_fields = ("name", "=user__username")
    raw_id_fields = ("user",)
    ordering = ("-id",)


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    raw_id_fields = ("product",)


class ShipmentInline(admin.TabularInline):
    model = Shipment
    extra = 0
    show_change_link = True


@admin.register(Order)
class OrderAdmin(LargeTableAdmin):
    list_display = ("id", "customer", "created_at", "status", "total")
    list_filter = ("status",)
    list_select_related = ("customer",)
    search_fields = ("=id", "=customer__user__username")
    raw_id_fields = ("customer",)
    inlines = [OrderLineInline, ShipmentInline]


@admin.register(OrderLine)
class OrderLineAdmin(LargeTableAdmin):
    list_display = ("id", "order", "product", "quantity", "unit_price")
    list_select_related = ("order", "product")
    search_fields = ("=order__id",)
    raw_id_fields = ("order", "product")


class ShipmentEventInline(admin.TabularInline):
    model = ShipmentEvent
    extra = 0


@admin.register(Shipment)
class ShipmentAdmin(LargeTableAdmin):
    list_display = ("id", "order", "carrier", "tracking_number", "status")
    list_filter = ("status", "carrier")
    list_select_related = ("order",)
    search_fields = ("=tracking_number", "=order__id")
    raw_id_fields = ("order",)
    inlines = [ShipmentEventInline]


@admin.register(ShipmentEvent)
class ShipmentEventAdmin(LargeTableAdmin):
    list_display = ("id", "shipment", "status", "at", "note")
    list_filter = ("status",)
    list_select_related = ("shipment",)
    search_fields = ("=shipment__tracking_number",)
    raw_id_fields = ("shipment",)


@admin.register(Review)
class ReviewAdmin(LargeTableAdmin):
    list_display = ("id", "product", "customer", "rating", "short_text", "verified_purchase", "created_at")
    list_filter = ("rating", "verified_purchase", "product__category")
    list_select_related = ("product", "customer")
    search_fields = ("text", "=product__id")
    raw_id_fields = ("product", "customer")

    @admin.display(description=_("text"))
    def short_text(self, obj):
        # plain text: the admin escapes it
        return obj.text if len(obj.text) <= 60 else obj.text[:60] + "…"


@admin.register(BrowsingEvent)
class BrowsingEventAdmin(LargeTableAdmin):
    list_display = ("id", "customer", "kind", "product", "query", "at")
    list_filter = ("kind",)
    list_select_related = ("customer", "product")
    search_fields = ("query", "=customer__user__username")
    raw_id_fields = ("customer", "product")


@admin.register(AfterSalesPolicy)
class AfterSalesPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "return_window_days", "exchange_window_days", "warranty_months", "shipping_fee", "free_shipping_over")
    list_select_related = ("category",)
    search_fields = ("name", "notes")
