"""Admin of the impact feature: the "Impact" page (charts per feature, A/B readouts, CSV export),
A/B experiments with their readout, and the events (read-only)."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy as _, ngettext

from ecom_ai.impact import attribution, dashboard, experiments, metrics
from ecom_ai.impact import settings as impact_settings
from ecom_ai.impact.models import Experiment, ImpactEvent, ImpactReport

PERIODS = (7, 30, 90)


def _days(request) -> int:
    raw = request.GET.get("days", "30")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 365 else 30


@admin.register(ImpactReport)
class ImpactReportAdmin(admin.ModelAdmin):
    """The Impact page: the app index links it; it replaces the proxy's change list."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("ecom_ai.view_impactevent") or super().has_view_permission(request, obj)

    def get_urls(self):
        return [path("export.csv", self.admin_site.admin_view(self.export_view), name="ecom_ai_impact_export"),
                path("attribute/", self.admin_site.admin_view(self.attribute_view), name="ecom_ai_impact_attribute"),
                ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        days = _days(request)
        report = metrics.report(days=days)
        for row in report["campaigns"]["by_copy"]:
            row["label"] = dashboard.copy_label(row)
        for row in report["campaigns"]["by_copy"] + report["recommendations"]["by_version"]:
            row["ctr_display"] = _pct(row["ctr"])
        for row in report["feedback"]["actions"]:
            row["share_pct_before"], row["share_pct_after"] = _pct(row["share_before"]), _pct(row["share_after"])
            row["difference_pct"] = "–" if row["difference"] is None else f"{row['difference'] * 100:+.1f} pt"
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": _("Impact"),
                   "days": days, "periods": PERIODS, "report": report, "charts": dashboard.charts(report),
                   "export_url": reverse("admin:ecom_ai_impact_export") + f"?days={days}",
                   "attribute_url": reverse("admin:ecom_ai_impact_attribute"),
                   "window_days": impact_settings.get("ATTRIBUTION_DAYS"),
                   "readouts": [(ro["experiment"], readout_html(ro)) for ro in report["experiments"]]}
        return TemplateResponse(request, "admin/ecom_ai/impact.html", context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        days = _days(request)
        response = HttpResponse(dashboard.csv_text(metrics.report(days=days)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="impact-{timezone.localdate().isoformat()}-{days}d.csv"'
        return response

    def attribute_view(self, request):
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:ecom_ai_impactreport_changelist"))
        if not request.user.has_perm("ecom_ai.add_impactevent"):
            raise PermissionDenied
        n = attribution.attribute_orders()
        self.message_user(request, ngettext("%(n)d order line credited to what the customer was shown.",
                                            "%(n)d order lines credited to what the customers were shown.", n) % {"n": n},
                          messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:ecom_ai_impactreport_changelist"))


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "metric", "starts_at", "ends_at", "verdict")
    list_filter = ("kind", "metric")
    search_fields = ("name", "note")
    readonly_fields = ("readout_table", "created_at")

    @admin.display(description=_("readout"))
    def verdict(self, obj):
        return experiments.readout(obj)["verdict"]

    @admin.display(description=_("readout"))
    def readout_table(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        return readout_html(experiments.readout(obj))


def _pct(value) -> str:
    return "–" if value is None else f"{value:.2%}"


def readout_html(ro: dict):
    """An experiment's readout as an HTML table (format_html: every value escaped)."""
    arms = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                            ((a["name"], a["serves"], f"{a['share']:.0%}", a["customers"], a["successes"], _pct(a["rate"]))
                             for a in ro["arms"]))
    comparisons = format_html_join(
        "", "<tr><td>{} − {}</td><td>{}</td><td>[{}, {}]</td><td>{}</td></tr>",
        ((c["arm"], c["control"], f"{c['difference']:+.2%}", f"{c['ci_low']:+.2%}", f"{c['ci_high']:+.2%}", f"{c['p_value']:.4f}")
         for c in ro["comparisons"]))
    return format_html(
        '<p><strong>{}</strong></p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
        '<tbody>{}</tbody></table><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>',
        ro["verdict"], gettext("arm"), gettext("serves"), gettext("share"), gettext("customers shown"),
        gettext("who clicked") if ro["metric"] == Experiment.Metric.CLICK else gettext("who ordered"), gettext("rate"), arms,
        gettext("arms compared"), gettext("difference"), gettext("%(level)d%% confidence interval") % {"level": 95}, gettext("p-value (two-sided)"), comparisons)


@admin.register(ImpactEvent)
class ImpactEventAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "kind", "source", "customer_id", "product_id", "model_version", "copy_id", "order_id", "value", "origin")
    list_filter = ("kind", "source", "origin", "model_version")
    search_fields = ("customer_id", "product_id", "event_id", "order_id")
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
