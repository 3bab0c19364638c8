"""A product's latest feedback summary on the host shop's own product admin page (a mixin the shop adds)."""
from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ecom_ai.feedback.models import FeedbackSummary
from ecom_ai.jobs.admin_base import AIPanelAdminMixin


class ProductFeedbackAdminMixin(AIPanelAdminMixin):
    """For the shop's product admin: ``class ProductAdmin(ProductFeedbackAdminMixin, admin.ModelAdmin)``."""

    ai_panels = ("ai_feedback_summary",)

    @admin.display(description=_("feedback summary"))
    def ai_feedback_summary(self, obj):
        summary = (FeedbackSummary.objects.filter(scope=FeedbackSummary.Scope.PRODUCT, product_id=obj.pk)
                   .order_by("-created_at", "-id").first())
        if summary is None:
            return _("None yet: select this product in the list and run “Summarise feedback”.")
        url = reverse("admin:ecom_ai_feedbacksummary_change", args=[summary.pk])
        counts = _("%(reviews)d reviews: %(pos)d positive, %(neg)d negative") % {
            "reviews": summary.review_count, "pos": summary.positive_count, "neg": summary.negative_count}
        # each paragraph escaped: the summary quotes customers
        paragraphs = format_html_join("", "<p>{}</p>", ((line,) for line in summary.text.splitlines() if line.strip()))
        return format_html('<p>{}</p>{}<p><a href="{}">{}</a></p>', counts, paragraphs, url,
                           _("The whole summary, with its aspects and improvement actions"))
