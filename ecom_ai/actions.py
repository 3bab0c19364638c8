"""Everything a host shop's admin needs to start ecom_ai jobs: the mixin, the action factory and the
ready-made actions, and the mixins that show a row's AI results on the shop's own change pages.
Importing this module registers no ModelAdmin.

    from ecom_ai.actions import JobActionsMixin, ProductFeedbackAdminMixin, summarise_feedback_action

    class ProductAdmin(ProductFeedbackAdminMixin, JobActionsMixin, admin.ModelAdmin):
        actions = [summarise_feedback_action]
"""
from ecom_ai.feedback.actions import (
    summarise_category_feedback_action,
    summarise_feedback_action,
    summarise_feedback_en_action,
)
from ecom_ai.feedback.integration import ProductFeedbackAdminMixin
from ecom_ai.jobs.actions import JobActionsMixin, job_action
from ecom_ai.recommendations.actions import compute_recommendations_action
from ecom_ai.recommendations.integration import CustomerRecommendationsAdminMixin

__all__ = ["JobActionsMixin", "job_action", "summarise_feedback_action", "summarise_feedback_en_action",
           "summarise_category_feedback_action", "compute_recommendations_action", "ProductFeedbackAdminMixin",
           "CustomerRecommendationsAdminMixin"]
