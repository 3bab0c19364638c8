"""The names the app speaks in: job kinds (one pipeline each) and features (one backend alias each).

Use these instead of string literals. The values are what settings and stored rows hold
(``ECOM_AI["PIPELINES"]`` / ``ECOM_AI["FEATURES"]`` keys, ``AIJob.kind``), so they never change.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    INQUIRY_REPLY = "inquiry_reply", _("Draft inquiry replies")
    RECOMMENDATIONS = "recommendations", _("Compute recommendations")
    CAMPAIGN_RULES = "campaign_rules", _("Suggest campaign rules")
    CAMPAIGN_COPY = "campaign_copy", _("Generate campaign copy")
    FEEDBACK_SUMMARY = "feedback_summary", _("Summarise feedback")


class Feature(models.TextChoices):
    INQUIRY_REPLY = "inquiry_reply", _("Inquiry replies")
    RECOMMENDATION_REASON = "recommendation_reason", _("Recommendation reasons")
    PROMO_COPY = "promo_copy", _("Campaign copy")
    FEEDBACK_SUMMARY = "feedback_summary", _("Feedback summaries")


def job_kind_label(kind: str) -> str:
    """The translated label of a job kind; a kind a shop added itself shows as it is."""
    try:
        return JobKind(kind).label
    except ValueError:
        return kind
