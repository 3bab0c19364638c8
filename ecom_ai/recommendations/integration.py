"""The customer's recommendations on the host shop's own customer admin page (a mixin the shop adds)."""
from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ecom_ai.adapters import get_adapter
from ecom_ai.jobs.admin_base import AIPanelAdminMixin, host_admin_url
from ecom_ai.recommendations.models import RecommendationSet


def products_table(items: list[dict], *, details: bool = False) -> str:
    """Recommended products by name (linked to the shop's product page), with price, stock and reason;
    ``details`` adds each one's score and source."""
    adapter = get_adapter()
    products = adapter.get_products([it.get("product_id") for it in items if it.get("product_id") is not None])
    rows = []
    for rank, it in enumerate(items, 1):
        p = products.get(it.get("product_id"))
        if p is None:  # deleted from the shop since
            name_html = format_html("{}", _("(product %(id)s no longer in the shop)") % {"id": it.get("product_id")})
        else:
            url = host_admin_url(adapter.product_model, p.id)
            name_html = format_html('<a href="{}">{}</a>', url, p.name) if url else format_html("{}", p.name)
        reason = it.get("reason", "")
        reason_html = format_html("{}", reason) if it.get("reason_ok", True) else format_html("<s>{}</s>", reason)
        cells = [rank, name_html, f"¥{p.price}" if p else "-", p.stock if p else "-"]
        if details:
            cells += [f"{float(it.get('score', 0)):.3f}", it.get("source", "")]
        rows.append((format_html_join("", "<td>{}</td>", ((c,) for c in cells + [reason_html])),))
    heads = [_("product"), _("price"), _("stock")] + ([_("score"), _("source")] if details else []) + [_("reason")]
    return format_html("<table><thead><tr><th>#</th>{}</tr></thead><tbody>{}</tbody></table>",
                       format_html_join("", "<th>{}</th>", ((h,) for h in heads)),
                       format_html_join("", "<tr>{}</tr>", rows))


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
