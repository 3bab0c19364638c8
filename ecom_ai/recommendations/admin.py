"""Admin of the recommendations feature: stored sets (read-only, with product names, prices and stock),
pinned/blocked products, per-category policies, and the "Compute recommendations" action the shop's
customer admin adds."""
from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy as _

from ecom_ai.actions import JobActionsMixin, job_action
from ecom_ai.adapters import get_adapter
from ecom_ai.recommendations.models import CategoryPolicy, RecommendationRule, RecommendationSet
from ecom_ai.kinds import JobKind

#: for the host shop's customer admin: ``actions = [compute_recommendations_action]``
compute_recommendations_action = job_action(JobKind.RECOMMENDATIONS, _("Compute recommendations"))


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
        items = obj.items or []
        products = get_adapter().get_products([it.get("product_id") for it in items if it.get("product_id") is not None])

        def described(it):
            p = products.get(it.get("product_id"))
            if p is None:  # deleted from the shop since
                return gettext("(product %(id)s no longer in the shop)") % {"id": it.get("product_id")}, "", ""
            return p.name, f"¥{p.price}", p.stock

        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((i + 1, *described(it), f"{float(it.get('score', 0)):.3f}", it.get("source", ""),
              it.get("reason", "") if it.get("reason_ok") else format_html("<s>{}</s>", it.get("reason", "")))
             for i, it in enumerate(items)),
        )
        return format_html("<table><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
                           "</tr></thead><tbody>{}</tbody></table>", _("product"), _("price"), _("stock"), _("score"),
                           _("source"), _("reason"), rows)


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
