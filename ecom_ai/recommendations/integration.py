"""The customer's recommendations on the host shop's own customer admin page (a mixin the shop adds)."""
from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ecom_ai.adapters import get_adapter
from ecom_ai.jobs.admin_base import AIPanelAdminMixin, host_admin_url
from ecom_ai.recommendations.models import RecommendationSet


def products_table(items: list[dict]) -> str:
    """Recommended products by name (linked to the shop's product page), with price, stock and reason."""
    adapter = get_adapter()
    products = adapter.get_products([it.get("product_id") for it in items if it.get("product_id") is not None])
    rows = []
    for rank, it in enumerate(items, 1):
        p = products.get(it.get("product_id"))
        name = p.name if p else _("product #%(id)s (no longer in the catalogue)") % {"id": it.get("product_id")}
        url = host_admin_url(adapter.product_model, it.get("product_id")) if p else None
        name_html = format_html('<a href="{}">{}</a>', url, name) if url else format_html("{}", name)
        reason = it.get("reason", "")
        reason_html = format_html("{}", reason) if it.get("reason_ok", True) else format_html("<s>{}</s>", reason)
        rows.append((rank, name_html, p.price if p else "-", p.stock if p else "-", reason_html))
    body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
    return format_html('<table><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
                       "<tbody>{}</tbody></table>", _("product"), _("price"), _("stock"), _("reason"), body)


class CustomerRecommendationsAdminMixin(AIPanelAdminMixin):
    """For the shop's customer admin: ``class CustomerAdmin(CustomerRecommendationsAdminMixin, admin.ModelAdmin)``."""

    ai_panels = ("ai_recommendations",)

    @admin.display(description=_("recommendations"))
    def ai_recommendations(self, obj):
        stored = RecommendationSet.objects.filter(customer_id=obj.pk).first()
        if stored is None or not stored.items:
            return _("None computed yet: select this customer in the list and run “Compute recommendations”.")
        url = reverse("admin:ecom_ai_recommendationset_change", args=[stored.pk])
        return format_html('{}<p><a href="{}">{}</a></p>', products_table(stored.items), url,
                           _("Computed %(when)s with model %(model)s") % {
                               "when": f"{stored.created_at:%Y-%m-%d %H:%M}", "model": stored.model_version or "-"})
