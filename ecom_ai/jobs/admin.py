"""Admin for the job engine: job list, a job page with a live progress bar, retry, resume (stalled) and cancel."""
from __future__ import annotations

import json

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, When
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ecom_ai.jobs.actions import JobActionsMixin
from ecom_ai.jobs.admin_base import ReadOnlyTabularInline
from ecom_ai.jobs.models import AIJob, AIJobItem
from ecom_ai.jobs import engine as jobs
from ecom_ai.kinds import job_kind_label


def _admin_link(content_type, object_id, missing="-"):
    """A link to an object's admin page, named by its model's (translated) verbose name."""
    if content_type is None or object_id in (None, ""):
        return missing
    model = content_type.model_class()
    label = model._meta.verbose_name if model else content_type.model
    try:
        url = reverse(f"admin:{content_type.app_label}_{content_type.model}_change", args=[object_id])
    except NoReverseMatch:
        return f"{label} #{object_id}"
    return format_html('<a href="{}">{} #{}</a>', url, label, object_id)


class KindFilter(admin.SimpleListFilter):
    """Job kinds by their translated labels (a kind a shop added itself shows as it is)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = model_admin.get_queryset(request).order_by().values_list("kind", flat=True).distinct()
        return [(kind, job_kind_label(kind)) for kind in sorted(kinds)]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset
from ecom_ai.jobs import stalls


class AIJobItemInline(ReadOnlyTabularInline):
    model = AIJobItem
    fields = ("target_link", "status", "attempts", "result_link", "error", "tokens_in", "tokens_out", "finished_at")
    verbose_name_plural = _("Items (failed first, at most 200 shown)")

    def get_queryset(self, request):
        # Failed items first so their errors are in view; a big job shows only a window.
        qs = super().get_queryset(request).select_related("result_type", "job__target_type")
        failed = AIJobItem.Status.FAILED
        ids = list(qs.filter(status=failed).values_list("id", flat=True)[:100])
        ids += list(qs.exclude(status=failed).values_list("id", flat=True)[:100])
        return qs.filter(id__in=ids).order_by(Case(When(status=failed, then=0), default=1), "id")

    @admin.display(description=_("target"))
    def target_link(self, item):
        return _admin_link(item.job.target_type, item.target_id, missing=item.target_id)

    @admin.display(description=_("result"))
    def result_link(self, item):
        return _admin_link(item.result_type, item.result_id)


@admin.register(AIJob)
class AIJobAdmin(JobActionsMixin, admin.ModelAdmin):
    list_display = ("id", "kind_label", "state_display", "progress_bar", "n_items", "n_done", "n_failed", "tokens_used",
                    "requested_by", "created_at")
    list_filter = ("status", KindFilter, "created_at")
    list_select_related = ("requested_by",)
    search_fields = ("=id", "kind", "error_summary")
    readonly_fields = ("kind_label", "state_display", "results", "stalled_at", "stall_reason", "progress_bar",
                       "requested_by", "language_name", "target_type", "params_table", "n_items", "n_pending", "n_running", "n_done", "n_failed",
                       "tokens_in", "tokens_out", "latency_ms", "token_budget", "wall_time_s", "error_summary",
                       "created_at", "started_at", "finished_at")
    fieldsets = (
        (None, {"fields": ("kind_label", "state_display", "results", "progress_bar", ("requested_by", "language_name"),
                           "target_type", "params_table")}),
        (_("Stall"), {"fields": ("stalled_at", "stall_reason")}),
        (_("Items"), {"fields": (("n_items", "n_pending", "n_running", "n_done", "n_failed"),)}),
        (_("Cost"), {"fields": (("tokens_in", "tokens_out", "token_budget"), ("latency_ms", "wall_time_s"))}),
        (_("Errors"), {"fields": ("error_summary",)}),
        (_("Times"), {"fields": (("created_at", "started_at", "finished_at"),)}),
    )
    inlines = [AIJobItemInline]
    actions = ["retry_failed_items", "resume_stalled_jobs", "cancel_jobs"]
    change_form_template = "admin/ecom_ai/aijob/change_form.html"
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing edits a job: its page opens read-only (view permission), staff act through the actions.
        return False

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, job):
        return job_kind_label(job.kind)

    @admin.display(description=_("results"))
    def results(self, job):
        """One link per kind of result the job wrote, to that result list filtered to this job."""
        done = (job.items.exclude(result_type=None).order_by().values_list("result_type")
                .annotate(n=Count("id")))
        links = []
        for type_id, n in done:
            content_type = ContentType.objects.get_for_id(type_id)
            model = content_type.model_class()
            try:
                url = reverse(f"admin:{content_type.app_label}_{content_type.model}_changelist")
            except NoReverseMatch:
                continue
            links.append((f"{url}?job__id__exact={job.pk}", n, model._meta.verbose_name_plural))
        if not links:
            return "-"
        return format_html_join(" · ", '<a href="{}">{} {}</a>', links)

    def get_queryset(self, request):
        return jobs.visible_jobs(request.user).select_related("requested_by")

    @admin.display(description=_("progress"))
    def progress_bar(self, job):
        return format_html(
            '<div class="ecom-ai-progress" data-job="{}" title="{}%"><div class="ecom-ai-progress-bar" '
            'style="width:{}%"></div></div><span class="ecom-ai-progress-text">{}%</span>',
            job.pk, job.progress, job.progress, job.progress,
        )

    @admin.display(description=_("language"))
    def language_name(self, job):
        """The language of whoever started the job (its staff-facing reasons are written in it), by name."""
        if not job.language:
            return "-"
        try:
            return translation.get_language_info(job.language)["name_translated"]
        except KeyError:
            return job.language

    @admin.display(description=_("parameters"))
    def params_table(self, job):
        """The job's parameters as a table of names and values (nested values as compact JSON)."""
        if not job.params:
            return "-"

        def shown(value):
            return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)

        return format_html("<table><tbody>{}</tbody></table>", format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>", ((k, shown(v)) for k, v in sorted(job.params.items()))))

    @admin.display(description=_("status"), ordering="status")
    def state_display(self, job):
        if job.is_stalled:
            return format_html('<span class="ecom-ai-stalled" title="{}">{}</span>', job.stall_reason, _("Stalled"))
        return job.get_status_display()

    @admin.display(description=_("tokens"))
    def tokens_used(self, job):
        return job.tokens_used

    def get_urls(self):
        urls = [path("<int:job_id>/progress/", self.admin_site.admin_view(self.progress_view),
                     name="ecom_ai_aijob_progress")]
        return urls + super().get_urls()

    def progress_view(self, request, job_id):
        job = get_object_or_404(self.get_queryset(request), pk=job_id)
        return JsonResponse({
            "id": job.pk, "status": job.status,
            "status_display": str(_("Stalled") if job.is_stalled else job.get_status_display()),
            "progress": job.progress, "active": job.is_active, "items": job.n_items, "pending": job.n_pending,
            "running": job.n_running, "done": job.n_done, "failed": job.n_failed,
            "tokens_in": job.tokens_in, "tokens_out": job.tokens_out,
            "stalled": job.is_stalled, "stall_reason": job.stall_reason if job.is_stalled else "",
        })

    @admin.action(description=_("Retry failed items"), permissions=["run_ai_job"])
    def retry_failed_items(self, request, queryset):
        total = sum(jobs.retry_failed(job) for job in queryset)
        self.message_user(request, ngettext("%(n)d item queued again.", "%(n)d items queued again.", total)
                          % {"n": total}, messages.SUCCESS if total else messages.WARNING)

    @admin.action(description=_("Resume stalled jobs"), permissions=["run_ai_job"])
    def resume_stalled_jobs(self, request, queryset):
        resumed = [job for job in queryset if stalls.resume(job)]
        n = len(resumed)
        self.message_user(request, ngettext("%(n)d stalled job resumed.", "%(n)d stalled jobs resumed.", n) % {"n": n}
                          if n else _("None of the selected jobs is stalled."), messages.SUCCESS if n else messages.WARNING)

    @admin.action(description=_("Cancel jobs"), permissions=["run_ai_job"])
    def cancel_jobs(self, request, queryset):
        n = sum(jobs.cancel(job) for job in queryset)
        self.message_user(request, ngettext("%(n)d job cancelled.", "%(n)d jobs cancelled.", n) % {"n": n},
                          messages.SUCCESS if n else messages.WARNING)
