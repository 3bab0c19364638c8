"""Ready-made admin actions of the feedback feature, for the shop's own product admin."""
from django.utils.translation import gettext_lazy as _

from ecom_ai.jobs.actions import job_action
from ecom_ai.kinds import JobKind

#: For the shop's ProductAdmin (which mixes in JobActionsMixin): ``actions = [summarise_feedback_action]``.
summarise_feedback_action = job_action(JobKind.FEEDBACK_SUMMARY, _("Summarise feedback"))
#: The same in English, and per category (each selected product's whole category).
summarise_feedback_en_action = job_action(JobKind.FEEDBACK_SUMMARY, _("Summarise feedback (English)"),
                                          params={"language": "en"}, name="start_feedback_summary_en_job")
summarise_category_feedback_action = job_action(JobKind.FEEDBACK_SUMMARY, _("Summarise feedback of their categories"),
                                                params={"scope": "category"}, name="start_feedback_summary_category_job")
