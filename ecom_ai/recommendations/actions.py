"""Ready-made admin actions of the recommendations feature, for the shop's own customer admin."""
from django.utils.translation import gettext_lazy as _

from ecom_ai.jobs.actions import job_action
from ecom_ai.kinds import JobKind

#: for the host shop's customer admin: ``actions = [compute_recommendations_action]``
compute_recommendations_action = job_action(JobKind.RECOMMENDATIONS, _("Compute recommendations"))
