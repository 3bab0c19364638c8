"""Admin of the training feature: runs with their loss curve and metrics beside the baseline, "Make active",
"Train again", and an add form that queues a training run for a worker."""
from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ecom_ai.jobs.actions import JobActionsMixin
from ecom_ai.training.models import TrainingRun
from ecom_ai.storage import artifacts
from ecom_ai.training import runs
from ecom_ai.training.charts import loss_curve_svg

PARAM_HELP = _(
    'JSON object. tokenizer: {"vocab_size": 8000}; pretrain: {"model": "causal" or "masked", "steps": 300, '
    '"hidden": 128, "layers": 2, "resume": RUN_ID}; finetune-classifier: {"task": "sentiment" or "intent", '
    '"limit": 6000, "epochs": 3}; finetune-replies: {"base": "/path/to/model", "lora": 1}.')


def _pct(value, digits: int = 2) -> str:
    try:
        return f"{float(value):.{digits}%}"
    except (TypeError, ValueError):
        return "-"


class TrainingRunForm(forms.ModelForm):
    """What the add page asks: the kind and its parameters; the run is queued for a worker on save."""

    parameters = forms.JSONField(label=_("parameters"), required=False, initial=dict, help_text=PARAM_HELP,
                                 widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))

    class Meta:
        model = TrainingRun
        fields = ("kind", "parameters", "activate_when_done")

    def clean_parameters(self):
        value = self.cleaned_data.get("parameters") or {}
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Give a JSON object, e.g. {\"steps\": 300}."))
        return value

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind:
            try:
                data["task"], data["parameters"] = runs.check_request(kind, data.get("parameters"))
            except runs.TrainingError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data


class ActiveFilter(admin.SimpleListFilter):
    """Runs whose model their artefact serves now (the artefacts' ACTIVE pointers, not a column)."""

    title = _("active")
    parameter_name = "is_active__exact"     # the URL the former boolean column's filter used

    def lookups(self, request, model_admin):
        return (("1", _("Yes")), ("0", _("No")))

    def queryset(self, request, queryset):
        if self.value() not in ("1", "0"):
            return queryset
        names = queryset.exclude(artifact_version="").order_by().values_list("artifact_name", flat=True).distinct()
        serving = Q(pk__in=[])
        for name in set(names):
            version = artifacts.active_version(name)
            if version:
                serving |= Q(artifact_name=name, artifact_version=version)
        return queryset.filter(serving) if self.value() == "1" else queryset.exclude(serving)


@admin.register(TrainingRun)
class TrainingRunAdmin(JobActionsMixin, admin.ModelAdmin):
    form = TrainingRunForm
    list_display = ("id", "kind", "task", "status", "progress_display", "data_size", "headline", "duration_display",
                    "serving", "requested_by", "created_at")
    list_filter = ("kind", "task", "status", ActiveFilter)
    list_select_related = ("requested_by",)
    search_fields = ("=id", "artifact_version", "error")
    date_hierarchy = "created_at"
    actions = ["make_active", "train_again"]
    change_list_template = "admin/ecom_ai/trainingrun/change_list.html"
    readonly = ("kind", "task", "status", "progress_display", "parameters_display", "activate_when_done", "data_size",
                "loss_curve", "metrics_display", "comparison", "duration_display", "artifact_name", "artifact_version",
                "artifact_path", "serving", "requested_by", "job", "error", "created_at", "started_at", "heartbeat_at",
                "finished_at")
    fieldsets = (
        (None, {"fields": (("kind", "task", "status"), "progress_display", "parameters_display",
                           ("data_size", "duration_display"), "requested_by")}),
        (_("Loss by step"), {"fields": ("loss_curve",)}),
        (_("Results"), {"fields": ("comparison", "metrics_display")}),
        (_("Model"), {"fields": (("artifact_name", "artifact_version"), "artifact_path", ("serving", "activate_when_done"))}),
        (_("Errors"), {"fields": ("error",)}),
        (_("Times"), {"fields": (("created_at", "started_at", "heartbeat_at", "finished_at"),)}),
    )

    # ------------------------------------------------------------ pages
    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ("kind", "parameters", "activate_when_done")}),)
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return self.readonly if obj is not None else ()

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.has_run_ai_job_permission(request)

    def has_change_permission(self, request, obj=None):
        # the run page is read-only; it must open for staff who may view runs
        return request.user.has_perm("ecom_ai.view_trainingrun") or request.user.has_perm("ecom_ai.change_trainingrun")

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if initial.get("kind") not in TrainingRun.Kind.values:
            initial.pop("kind", None)
        initial.setdefault("parameters", {})
        return initial

    def save_model(self, request, obj, form, change):
        if change:
            return
        obj.task = form.cleaned_data["task"]
        obj.requested_by = request.user
        super().save_model(request, obj, form, change)
        runs.enqueue(obj.pk)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, _("Training run #%(id)d queued; this page follows its progress.") % {"id": obj.pk},
                          messages.SUCCESS)
        from django.http import HttpResponseRedirect
        from django.urls import reverse

        return HttpResponseRedirect(reverse("admin:ecom_ai_trainingrun_change", args=[obj.pk]))

    # ------------------------------------------------------------ displays
    @admin.display(description=_("progress"))
    def progress_display(self, run):
        return format_html('<progress max="100" value="{}" title="{}%"></progress> {}%', run.progress, run.progress,
                           run.progress)

    @admin.display(description=_("parameters"))
    def parameters_display(self, run):
        return format_html("<code>{}</code>", json.dumps(run.parameters, ensure_ascii=False, sort_keys=True))

    @admin.display(description=_("result"))
    def headline(self, run):
        m = run.metrics or {}
        if "accuracy" in m and "baseline_accuracy" in m:
            return format_html("{} {} · {} {}", _("accuracy"), _pct(m["accuracy"], 1), _("baseline"), _pct(m["baseline_accuracy"], 1))
        if "accuracy" in m:
            return format_html("{} {}", _("accuracy"), _pct(m["accuracy"], 1))
        if m.get("perplexity") is not None:
            return format_html("{} {}", _("perplexity"), m["perplexity"])
        if "vocab_size" in m:
            return format_html("{} {}", _("vocabulary"), m["vocab_size"])
        return "-"

    @admin.display(description=_("duration"))
    def duration_display(self, run):
        if run.duration_s is None:
            return "-"
        minutes, seconds = divmod(int(round(run.duration_s)), 60)
        return f"{minutes}m {seconds:02d}s" if minutes else f"{run.duration_s:.1f}s"

    @admin.display(description=_("serving"), boolean=True)
    def serving(self, run):
        return run.is_active

    @admin.display(description=_("loss curve"))
    def loss_curve(self, run):
        return loss_curve_svg(run.loss_history) or _("No loss recorded yet.")

    @admin.display(description=_("metrics"))
    def metrics_display(self, run):
        rows = [(k, json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v)
                for k, v in sorted((run.metrics or {}).items())]
        if not rows:
            return "-"
        return format_html("<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows))

    @admin.display(description=_("trained model vs scikit-learn baseline (same held-out split)"))
    def comparison(self, run):
        m = run.metrics or {}
        if "baseline_accuracy" not in m:
            return "-"
        better = _("trained model") if m["accuracy"] >= m["baseline_accuracy"] else _("baseline")
        table = format_html(
            "<table><tr><th></th><th>{}</th><th>{}</th></tr>"
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>"
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr></table><p>{}: <strong>{}</strong> · {} {}</p>",
            _("trained model"), _("baseline"), _("accuracy"), _pct(m["accuracy"]), _pct(m["baseline_accuracy"]),
            _("macro F1"), m.get("macro_f1", "-"), m.get("baseline_macro_f1", "-"),
            _("better on this split"), better, _("held-out examples:"), m.get("n_heldout", "-"))
        never = m.get("never_seen")
        if not isinstance(never, dict):
            return table
        # a recipe's part of the corpus held back before any step (pre-training included) read it
        return format_html(
            "{}<p>{}: {} {} · {} {} · {} {}</p>", table, _("Reviews held back before pre-training"),
            _("trained model"), _pct(never.get("accuracy")), _("baseline"), _pct(never.get("baseline_accuracy")),
            _("examples:"), never.get("n", "-"))

    # ------------------------------------------------------------ actions
    @admin.action(description=_("Make active (serve this model)"), permissions=["run_ai_job"])
    def make_active(self, request, queryset):
        done, names = 0, set()
        for run in queryset.order_by("-created_at"):
            if run.artifact_name in names:
                continue  # one active model per artefact: the newest selected wins
            try:
                runs.make_active(run)
            except (runs.TrainingError, artifacts.NoArtifact) as exc:
                self.message_user(request, str(exc), messages.WARNING)
                continue
            names.add(run.artifact_name)
            done += 1
        if done:
            self.message_user(request, ngettext("%(count)d run is now the active model; workers load it on their next use.",
                                                "%(count)d runs are now the active models; workers load them on their next use.",
                                                done) % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Train again with the same parameters"), permissions=["run_ai_job"])
    def train_again(self, request, queryset):
        new = [runs.rerun(run, user=request.user) for run in queryset]
        self.message_user(request, ngettext("Queued %(count)d training run.", "Queued %(count)d training runs.",
                                            len(new)) % {"count": len(new)}, messages.SUCCESS)
