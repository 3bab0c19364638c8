"""Admin of the training feature: runs with their loss curve and metrics beside the baseline (the recommender's
candidates as a table and a chart), "Make active", "Train again", and a form per kind (its options typed,
defaults filled in) that queues a training run for a worker."""
from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ecom_ai.jobs.actions import JobActionsMixin
from ecom_ai.training.models import TrainingRun
from ecom_ai.storage import artifacts
from ecom_ai.training import runs
from ecom_ai.training.charts import candidates_chart_svg, candidates_table, loss_curve_svg
from ecom_ai.training.forms import KIND_HELP, NO_CSV, run_form

#: translated names of the values a run's ``task`` column holds
TASK_LABELS = {
    "sentiment": _("sentiment"), "intent": _("intent"), "causal": _("causal LM"), "masked": _("masked LM"),
    "bpe": _("byte-level BPE"), "char": _("one token per character"), "replies": _("replies"),
}


#: kinds that train in one fit, with no loss by step to draw
NO_LOSS_CURVE = {TrainingRun.Kind.SENTIMENT_BASELINE, TrainingRun.Kind.INTENT_BASELINE, TrainingRun.Kind.RECOMMENDER}


def _pct(value, digits: int = 2) -> str:
    try:
        return f"{float(value):.{digits}%}"
    except (TypeError, ValueError):
        return "-"


class TaskFilter(admin.SimpleListFilter):
    """The task column's values, by their translated names."""

    title = _("task")
    parameter_name = "task"

    def lookups(self, request, model_admin):
        tasks = model_admin.get_queryset(request).exclude(task="").order_by().values_list("task", flat=True).distinct()
        return [(t, TASK_LABELS.get(t, t)) for t in sorted(set(tasks))]

    def queryset(self, request, queryset):
        return queryset.filter(task=self.value()) if self.value() else queryset


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
    list_display = ("id", "kind", "task_display", "status", "progress_display", "data_size", "headline", "duration_display",
                    "serving", "requested_by", "created_at")
    list_filter = ("kind", TaskFilter, "status", ActiveFilter)
    list_select_related = ("requested_by",)
    search_fields = ("=id", "artifact_version", "error")
    date_hierarchy = "created_at"
    actions = ["make_active", "train_again"]
    change_list_template = "admin/ecom_ai/trainingrun/change_list.html"
    readonly = ("kind", "task_display", "status", "progress_display", "parameters_display", "activate_when_done", "data_size",
                "loss_curve", "metrics_display", "comparison", "candidates", "duration_display", "artifact_name", "artifact_version",
                "artifact_path", "serving", "requested_by", "job", "error", "created_at", "started_at", "heartbeat_at",
                "finished_at")
    fieldsets = (
        (None, {"fields": (("kind", "task_display", "status"), "progress_display", "parameters_display",
                           ("data_size", "duration_display"), "requested_by")}),
        (_("Loss by step"), {"fields": ("loss_curve",)}),
        (_("Results"), {"fields": ("comparison", "candidates", "metrics_display")}),
        (_("Model"), {"fields": (("artifact_name", "artifact_version"), "artifact_path", ("serving", "activate_when_done"))}),
        (_("Errors"), {"fields": ("error",)}),
        (_("Times"), {"fields": (("created_at", "started_at", "heartbeat_at", "finished_at"),)}),
    )

    # ------------------------------------------------------------ pages
    @staticmethod
    def _kind(request) -> str | None:
        """The kind the add page's address names (``?kind=pretrain``); None: the page lets staff choose."""
        kind = request.GET.get("kind")
        return kind if kind in TrainingRun.Kind.values else None

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return self.run_fieldsets(obj)
        kind = self._kind(request) or TrainingRun.Kind.TOKENIZER      # add_view shows the choice first
        form = run_form(kind)
        start = ("activate_when_done",) if kind in NO_CSV else ("csv", "activate_when_done")
        fieldsets = [(None, {"fields": start, "description": KIND_HELP.get(kind, "")}),
                     (_("Options"), {"fields": form.OWN_NAMES})]
        if form.SHARED_NAMES:
            fieldsets.append((_("Schedule and model size"), {"fields": form.SHARED_NAMES, "classes": ("collapse",)}))
        return fieldsets

    def run_fieldsets(self, run):
        """A run's page: the loss curve where the kind trains by steps, the comparison that its results hold."""
        by_steps = run.kind not in NO_LOSS_CURVE
        results = ("candidates",) if run.kind == TrainingRun.Kind.RECOMMENDER else ("comparison",)
        return [(name, {**options, "fields": results + ("metrics_display",)} if "metrics_display" in options["fields"]
                 else options) for name, options in self.fieldsets if by_steps or "loss_curve" not in options["fields"]]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = run_form(self._kind(request) or TrainingRun.Kind.TOKENIZER)
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly if obj is not None else ()

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.has_run_ai_job_permission(request)

    def has_change_permission(self, request, obj=None):
        # the run page is read-only; it must open for staff who may view runs
        return request.user.has_perm("ecom_ai.view_trainingrun") or request.user.has_perm("ecom_ai.change_trainingrun")

    def kinds(self, request) -> list[dict]:
        """Each kind with its label, what it trains and the address of its form."""
        url = reverse("admin:ecom_ai_trainingrun_add")
        return [{"value": value, "label": label, "help": KIND_HELP.get(value, ""), "url": f"{url}?kind={value}"}
                for value, label in TrainingRun.Kind.choices]

    def add_view(self, request, form_url="", extra_context=None):
        kind = self._kind(request)
        if kind is None:                 # first choose what to train: one form per kind
            if not self.has_add_permission(request):
                raise PermissionDenied
            context = {**self.admin_site.each_context(request), "opts": self.opts, "kinds": self.kinds(request),
                       "title": gettext("Start a training run"), "has_view_permission": True}
            return TemplateResponse(request, "admin/ecom_ai/trainingrun/choose_kind.html", context)
        title = gettext("Start a training run: %(kind)s") % {"kind": TrainingRun.Kind(kind).label}
        return super().add_view(request, form_url, {**(extra_context or {}), "title": title})

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "training_kinds": self.kinds(request)})

    def save_model(self, request, obj, form, change):
        if change:
            return
        obj.kind = form.KIND
        obj.task = form.cleaned_data["task"]
        obj.parameters = form.cleaned_data["parameters"]
        obj.requested_by = request.user
        super().save_model(request, obj, form, change)
        runs.enqueue(obj.pk)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, _("Training run #%(id)d queued; this page follows its progress.") % {"id": obj.pk},
                          messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:ecom_ai_trainingrun_change", args=[obj.pk]))

    # ------------------------------------------------------------ displays
    @admin.display(description=_("progress"))
    def progress_display(self, run):
        return format_html('<progress max="100" value="{}" title="{}%"></progress> {}%', run.progress, run.progress,
                           run.progress)

    @admin.display(description=_("parameters"))
    def parameters_display(self, run):
        if not run.parameters:
            return _("the defaults")
        return format_html("<code>{}</code>", json.dumps(run.parameters, ensure_ascii=False, sort_keys=True))

    @admin.display(description=_("task"), ordering="task")
    def task_display(self, run):
        return TASK_LABELS.get(run.task, run.task) or "-"

    @admin.display(description=_("result"))
    def headline(self, run):
        m = run.metrics or {}
        served = next((row for row in m.get("candidates") or [] if isinstance(row, dict) and row.get("served")), None)
        if served is not None:
            return format_html("{} · NDCG@10 {}", served.get("model", "-"), served.get("ndcg@10", "-"))
        if "accuracy" in m and "baseline_accuracy" in m:
            return format_html("{} {} · {} {}", _("accuracy"), _pct(m["accuracy"], 1), _("baseline"), _pct(m["baseline_accuracy"], 1))
        if "accuracy" in m:
            return format_html("{} {}", _("accuracy"), _pct(m["accuracy"], 1))
        if m.get("perplexity") is not None:
            return format_html("{} {}", _("perplexity"), m["perplexity"])
        if "vocab_size" in m:
            return format_html("{} {}", _("vocabulary"), m["vocab_size"])
        if "users" in m and "items" in m:
            return format_html("{} × {}", ngettext("%(n)d customer", "%(n)d customers", m["users"]) % {"n": m["users"]},
                               ngettext("%(n)d product", "%(n)d products", m["items"]) % {"n": m["items"]})
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
                for k, v in sorted((run.metrics or {}).items()) if k != "candidates"]   # candidates: their own table
        if not rows:
            return "-"
        return format_html("<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows))

    @admin.display(description=_("models compared"))
    def candidates(self, run):
        rows = (run.metrics or {}).get("candidates")
        if not isinstance(rows, list) or not rows:
            return "-"
        return format_html("{}{}", candidates_table(rows), candidates_chart_svg(rows))

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
