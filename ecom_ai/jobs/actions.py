"""One helper that turns an admin action into a job, so each feature adds only its own action.

Usage in any ModelAdmin (the shop's or ecom_ai's)::

    from ecom_ai.actions import JobActionsMixin, job_action
    from ecom_ai.kinds import JobKind

    class ProductAdmin(JobActionsMixin, admin.ModelAdmin):
        actions = [job_action(JobKind.FEEDBACK_SUMMARY, _("Summarise feedback"))]
"""
from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ecom_ai.jobs.engine import JobError, start_job


class JobActionsMixin:
    """Gives the admin the ``run_ai_job`` action permission (``ecom_ai.run_aijob``)."""

    def has_run_ai_job_permission(self, request) -> bool:
        return request.user.has_perm("ecom_ai.run_aijob")


def job_action(kind: str, description, *, params: dict | None = None, name: str | None = None):
    """An admin action that starts a ``kind`` job over the selected rows and links to it."""

    @admin.action(description=description, permissions=["run_ai_job"])
    def action(modeladmin, request, queryset):
        try:
            job = start_job(kind, queryset, params=dict(params or {}), user=request.user)
        except JobError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
            return None
        url = reverse("admin:ecom_ai_aijob_change", args=[job.pk])
        text = ngettext(
            "Started AI job #%(job)d over %(count)d row.",
            "Started AI job #%(job)d over %(count)d rows.",
            job.n_items,
        ) % {"job": job.pk, "count": job.n_items}
        modeladmin.message_user(request, format_html('{} <a href="{}">{}</a>', text, url, _("Follow its progress")),
                                messages.SUCCESS)
        return None

    action.__name__ = name or f"start_{kind}_job"
    return action
