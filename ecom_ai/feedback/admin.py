"""Admin of the feedback feature: summaries with their aspects, cited reviews, actions (with teams) and weekly
trends; the shop's aspects (synonyms, team, action); the "Summarise feedback" action for the shop's product admin."""
from __future__ import annotations

from collections import defaultdict

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ecom_ai.jobs.actions import JobActionsMixin
from ecom_ai.adapters import get_adapter
from ecom_ai.feedback.models import FeedbackAspect, FeedbackSummary, ImprovementAction
from ecom_ai.feedback import services as service
from ecom_ai.jobs.engine import JobError, start_job
from ecom_ai.kinds import JobKind

_MOOD = {"positive": _("mostly praise"), "negative": _("mostly complaints"), "mixed": _("mixed")}


def _review_admin_url(review_id):
    """The admin page of a host review, when the host registers a ``Review`` model next to its products."""
    try:
        label = get_adapter().product_model.split(".")[0]
        return reverse(f"admin:{label}_review_change", args=[review_id])
    except (NoReverseMatch, AttributeError, IndexError):
        return None


def _cite_links(ids) -> str:
    def link(i):
        url = _review_admin_url(i)
        return format_html('<a href="{}">[#{}]</a>', url, i) if url else format_html("[#{}]", i)

    return format_html_join(" ", "{}", ((link(i),) for i in ids))


@admin.register(FeedbackSummary)
class FeedbackSummaryAdmin(JobActionsMixin, admin.ModelAdmin):
    list_display = ("id", "target", "scope", "language", "status", "distinct_count", "positive_count", "negative_count",
                    "top_themes", "created_at")
    list_filter = ("status", "scope", "language", "category", "created_at")
    search_fields = ("product_name", "category", "text", "=product_id")
    date_hierarchy = "created_at"
    actions = ["summarise_again", "mark_actions_done"]
    readonly_fields = (
        "scope", "product_id", "product_name", "category", "language", "status", "summary_paragraph", "counts",
        "themes_table", "actions_list", "cited_reviews", "trend_chart", "aspect_trend", "flagged_reviews", "check_reasons_list",
        "sentiment_source", "backend", "model_id", "tokens_in", "tokens_out", "job", "created_at",
    )
    fieldsets = (
        (None, {"fields": (("scope", "product_id", "product_name", "category"), ("language", "status"), "summary_paragraph", "counts")}),
        (_("Aspects"), {"fields": ("themes_table",)}),
        (_("Improvement actions"), {"fields": ("actions_list",)}),
        (_("Weekly trend"), {"fields": ("trend_chart", "aspect_trend")}),
        (_("Cited reviews"), {"fields": ("cited_reviews", "flagged_reviews")}),
        (_("Check"), {"fields": ("check_reasons_list",)}),
        (_("Provenance"), {"fields": (("sentiment_source", "backend", "model_id"), ("tokens_in", "tokens_out"), ("job", "created_at"))}),
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # results are written by jobs; the page is read-only

    @admin.display(description=_("target"), ordering="product_name")
    def target(self, obj):
        return obj.product_name or obj.category or obj.product_id

    @admin.display(description=_("top aspects"))
    def top_themes(self, obj):
        return ", ".join(f"{t['label']} {t['count']}" for t in (obj.themes or [])[:3])

    @admin.display(description=_("summary"))
    def summary_paragraph(self, obj):
        return format_html('<p style="max-width:60em;white-space:pre-wrap">{}</p>', obj.text)

    @admin.display(description=_("counts"))
    def counts(self, obj):
        return format_html(
            "{} {} · {} {} · {} {} · {} {} · {} {} · {} {}",
            _("reviews"), obj.review_count, _("distinct"), obj.distinct_count, _("positive"), obj.positive_count,
            _("negative"), obj.negative_count, _("duplicates"), obj.duplicate_count, _("flagged"), obj.flagged_count,
        )

    @admin.display(description=_("aspects and themes"))
    def themes_table(self, obj):
        if not obj.themes:
            return "-"
        teams = dict(FeedbackAspect.Team.choices)
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}%</td><td>{}% / {}%</td><td>{}</td><td>{}</td>"
                                    "<td>{}</td><td>{}</td></tr>", (
            (t["label"] if obj.language == "zh" else t.get("label_en", t["label"]),
             teams.get(t.get("team"), t.get("team") or "-") if t.get("source") == "aspect" else _("discovered"),
             t["count"], t["share"], t.get("positive_share", 0), t.get("negative_share", 0), t.get("mixed", 0),
             _MOOD.get(t["sentiment"], t["sentiment"]), ", ".join(t["terms"][:6]), _cite_links(t.get("cited_ids", [])))
            for t in obj.themes))
        return format_html(
            '<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("aspect"), _("team"), _("reviews judging it"), _("share of reviews"), _("positive / negative"), _("mixed"),
            _("mood"), _("words"), _("cited"), rows)

    @admin.display(description=_("improvement actions"))
    def actions_list(self, obj):
        if not obj.actions:
            return "-"
        teams = dict(FeedbackAspect.Team.choices)
        return format_html("<ul>{}</ul>", format_html_join("", "<li><strong>{}</strong> · {}</li>", (
            (teams.get(a.get("team"), a.get("team") or "-"), a["text"]) for a in obj.actions)))

    @admin.display(description=_("weekly trend per aspect"))
    def aspect_trend(self, obj):
        """Per week, the reviews judging each aspect and (after the slash) those blaming it."""
        weeks = [w for w in obj.trend or [] if w.get("aspects")]
        if not weeks:
            return "-"
        slugs = [t["slug"] for t in obj.themes or []]
        labels = {t["slug"]: t["label"] if obj.language == "zh" else t.get("label_en", t["label"]) for t in obj.themes or []}
        head = format_html_join("", "<th>{}</th>", ((labels.get(s, s),) for s in slugs))
        body = format_html_join("", "<tr><td>{}</td>{}</tr>", (
            (w["week"], format_html_join("", "<td>{} / {}</td>", (tuple(w["aspects"].get(s, [0, 0])) for s in slugs)))
            for w in weeks))
        return format_html("<table><thead><tr><th>{}</th>{}</tr></thead><tbody>{}</tbody></table>"
                           '<p class="help">{}</p>', _("week"), head, body,
                           _("Reviews judging the aspect that week / of them, those that blame it."))

    @admin.display(description=_("weekly trend"))
    def trend_chart(self, obj):
        if not obj.trend:
            return "-"
        slugs = list(obj.trend[0].get("themes", {}).keys())
        labels = {t["slug"]: t["label"] for t in obj.themes or []}
        legend = format_html_join(" ", '<span style="color:{}">━ {}</span>', (
            (colour, labels.get(slug, slug)) for slug, colour in service.trend_legend_colours(slugs)))
        return format_html('<div>{}</div><div>{} <span style="color:#2ca02c">■ {}</span> '
                           '<span style="color:#d62728">■ {}</span> <span style="color:#999">■ {}</span></div>',
                           service.trend_svg(obj.trend, slugs), legend, _("positive"), _("negative"), _("no sentiment"))

    @staticmethod
    def _cited_ids(obj) -> list:
        return list(dict.fromkeys(i for t in obj.themes or [] for i in t.get("cited_ids", [])))[:40]

    def _reviews(self, obj, ids):
        """The reviews with these ids, in the shop's order. The cited and the flagged reviews of the
        summary are read once per object (the page shows both) and kept on it."""
        if not ids:
            return []
        shown = getattr(obj, "_ecom_ai_shown_reviews", None)
        if shown is None:
            every = set(self._cited_ids(obj)) | set(obj.flagged_review_ids or [])
            pids = [obj.product_id] if obj.product_id else service.category_product_ids(obj.category)
            shown = obj._ecom_ai_shown_reviews = [r for r in get_adapter().get_reviews(pids) if r.id in every]
        wanted = set(ids)
        return [r for r in shown if r.id in wanted]

    @admin.display(description=_("cited reviews"))
    def cited_reviews(self, obj):
        reviews = self._reviews(obj, self._cited_ids(obj))
        if not reviews:
            return "-"
        return format_html("<table><tbody>{}</tbody></table>", format_html_join(
            "", "<tr><td>{}</td><td>{}★</td><td>{}</td></tr>",
            ((_cite_links([r.id]), r.rating, r.text[:300]) for r in reviews)))

    @admin.display(description=_("flagged reviews"))
    def flagged_reviews(self, obj):
        reviews = self._reviews(obj, obj.flagged_review_ids or [])
        if not reviews:
            return "-"
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{} {}</li>", ((_cite_links([r.id]), r.text[:300]) for r in reviews)))

    @admin.display(description=_("check"))
    def check_reasons_list(self, obj):
        if not obj.check_reasons:
            return _("passed")
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in obj.check_reasons)))

    @admin.action(description=_("Summarise feedback again"), permissions=["run_ai_job"])
    def summarise_again(self, request, queryset):
        model = apps.get_model(get_adapter().product_model)
        groups = defaultdict(set)
        for pid, language in queryset.filter(scope=FeedbackSummary.Scope.PRODUCT).values_list("product_id", "language"):
            groups[language].add(pid)
        started = []
        for language, ids in groups.items():
            try:
                started.append(start_job(JobKind.FEEDBACK_SUMMARY, model._default_manager.filter(pk__in=ids),
                                         params={"language": language}, user=request.user))
            except JobError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        if started:
            self.message_user(request, ngettext("Started %(n)d job.", "Started %(n)d jobs.", len(started)) % {"n": len(started)},
                              messages.SUCCESS)
        elif not groups:
            self.message_user(request, _("Select product summaries to summarise again."), messages.WARNING)


    def has_mark_done_permission(self, request) -> bool:
        return request.user.has_perm("ecom_ai.add_improvementaction")

    @admin.action(description=_("Mark their improvement actions done"), permissions=["mark_done"])
    def mark_actions_done(self, request, queryset):
        n = service.mark_actions_done(queryset.exclude(actions=[]), user=request.user)
        if not n:
            self.message_user(request, _("No improvement action to mark: the selected summaries have none, or they "
                                         "are marked done already."), messages.WARNING)
            return
        try:
            impact = reverse("admin:ecom_ai_impactreport_changelist")
        except NoReverseMatch:
            impact = ""
        self.message_user(request, format_html(
            "{} <a href=\"{}\">{}</a>",
            ngettext("%(n)d improvement action marked done today.", "%(n)d improvement actions marked done today.", n) % {"n": n},
            impact, _("The Impact page compares their aspects' complaints before and after.")), messages.SUCCESS)


@admin.register(ImprovementAction)
class ImprovementActionAdmin(admin.ModelAdmin):
    """The improvement actions staff marked done; reopen one to take it off the before/after comparison."""

    list_display = ("label", "target", "team", "negative", "of", "status", "done_at", "done_by")
    list_filter = ("status", "team", "scope", "done_at")
    search_fields = ("label", "aspect", "product_name", "category", "text")
    date_hierarchy = "done_at"
    actions = ["reopen"]
    readonly_fields = ("summary", "scope", "product_id", "product_name", "category", "aspect", "label", "team", "text",
                       "negative", "of", "status", "done_at", "done_by")

    def has_add_permission(self, request):
        return False  # staff mark a summary's actions done from the summary list

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("target"), ordering="product_name")
    def target(self, obj):
        return obj.product_name or obj.category or obj.product_id

    def has_reopen_permission(self, request) -> bool:
        return request.user.has_perm("ecom_ai.add_improvementaction")

    @admin.action(description=_("Reopen (not done after all)"), permissions=["reopen"])
    def reopen(self, request, queryset):
        n = queryset.update(status=ImprovementAction.Status.REOPENED)
        self.message_user(request, ngettext("%(n)d action reopened.", "%(n)d actions reopened.", n) % {"n": n}, messages.SUCCESS)


class FeedbackAspectForm(forms.ModelForm):
    class Meta:
        model = FeedbackAspect
        fields = ["slug", "name", "name_en", "team", "synonyms", "action", "enabled"]

    def clean(self):
        data = super().clean()
        problems = service.aspect_problems(data.get("slug") or "", data.get("synonyms") or "")
        if problems:
            raise forms.ValidationError(problems)
        return data


@admin.register(FeedbackAspect)
class FeedbackAspectAdmin(admin.ModelAdmin):
    """The shop's aspects: the canonical ones (edit their team, words and action) and its own."""

    form = FeedbackAspectForm
    list_display = ("slug", "name", "name_en", "team", "enabled", "synonym_preview", "builtin_words", "updated_at")
    list_editable = ("team", "enabled")
    list_filter = ("team", "enabled")
    search_fields = ("slug", "name", "name_en", "synonyms")
    fields = ("slug", "name", "name_en", "team", "synonyms", "action", "enabled", "builtin_words")
    readonly_fields = ("builtin_words",)

    @admin.display(description=_("synonyms"))
    def synonym_preview(self, obj):
        return ", ".join(obj.synonym_list()[:8]) or "-"

    @admin.display(description=_("built-in words"))
    def builtin_words(self, obj):
        words = service.builtin_aspect_words(obj.slug)
        return ", ".join(words[:12]) + (" …" if len(words) > 12 else "") if words else "-"
