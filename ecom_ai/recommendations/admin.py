"""Admin of the recommendations feature: stored sets (read-only, with product names, prices and stock),
pinned/blocked products, per-category policies, and the "Compute recommendations" action the shop's
customer admin adds."""
from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ecom_ai.jobs.actions import JobActionsMixin
from ecom_ai.recommendations.integration import products_table
from ecom_ai.recommendations.models import CategoryPolicy, RecommendationRule, RecommendationSet


@admin.register(RecommendationSet)
class RecommendationSetAdmin(JobActionsMixin, admin.ModelAdmin):
    list_display = ("customer_id", "user", "n_items", "status", "model_version", "created_at")
    list_filter = ("status", "model_version")
    search_fields = ("customer_id", "user__username")
    readonly_fields = ("customer_id", "user", "items_table", "model_version", "request_id", "status", "review_notes",
                       "params", "job", "created_at")
    exclude = ("items",)
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("products"))
    def n_items(self, obj):
        return len(obj.items or [])

    @admin.display(description=_("recommended products"))
    def items_table(self, obj):
        return products_table(obj.items or [], details=True)


@admin.register(RecommendationRule)
class RecommendationRuleAdmin(admin.ModelAdmin):
    list_display = ("product_id", "action", "category", "position", "active", "note", "created_at")
    list_editable = ("position", "active")
    list_filter = ("action", "active")
    search_fields = ("product_id", "category", "note")


@admin.register(CategoryPolicy)
class CategoryPolicyAdmin(admin.ModelAdmin):
    list_display = ("category", "consumable", "repurchase_days", "standalone", "updated_at")
    list_editable = ("consumable", "repurchase_days", "standalone")
    list_filter = ("consumable", "standalone")
    search_fields = ("category",)
