"""Admin of the campaigns feature: campaigns with "Suggest rules" / "Generate copy", copy variants side by side, choose and edit."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ecom_ai.jobs.actions import JobActionsMixin, job_action
from ecom_ai.campaigns.models import BannedTerm, Campaign, CampaignCopy
from ecom_ai.campaigns import services as svc
from ecom_ai.kinds import JobKind


class ProductIdsField(forms.CharField):
    """The campaign's product ids typed as "12, 15, 40"."""

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        try:
            return svc.normalize_product_ids(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc


class CampaignForm(forms.ModelForm):
    product_ids = ProductIdsField(label=_("product ids"), required=False,
                                  help_text=_("Ids of the shop's products, separated by commas. Leave empty and use "
                                              "“Suggest rules” to have products proposed."))

    class Meta:
        model = Campaign
        fields = "__all__"

    def _post_clean(self):
        """After the model's own checks, the shop's: its limits and products (the validators of campaigns.rules)."""
        super()._post_clean()
        campaign = self.instance
        shop = svc.validate_campaign(campaign, complete=campaign.status == Campaign.Status.PUBLISHED)
        for name, messages in shop.items():
            target = name if name in self.fields else None
            known = {str(m) for m in self.errors.get(target or "__all__", [])}
            for message in messages:
                if message not in known:
                    self.add_error(target, message)


@admin.register(Campaign)
class CampaignAdmin(JobActionsMixin, admin.ModelAdmin):
    form = CampaignForm
    list_display = ("name", "kind", "status", "starts_at", "ends_at", "product_count", "copy_counts")
    list_filter = ("kind", "status", "language", "starts_at")
    search_fields = ("name",)
    date_hierarchy = "starts_at"
    readonly_fields = ("products_table", "reasons_list", "suggested_at", "created_by", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "kind", "status", "language", ("starts_at", "ends_at"))}),
        (_("Products"), {"fields": ("product_ids", "products_table")}),
        (_("Coupon"), {"fields": (("threshold", "amount"), "percent_off", "total_issued")}),
        (_("Flash sale"), {"fields": (("sale_price", "stock_cap"),)}),
        (_("Group buy"), {"fields": (("group_size", "group_price", "fill_hours"),)}),
        (_("Every kind"), {"fields": ("per_customer_limit",)}),
        (_("Suggestion"), {"fields": ("reasons_list", "suggested_at")}),
        (_("History"), {"fields": (("created_by", "created_at", "updated_at"),)}),
    )
    actions = [job_action(JobKind.CAMPAIGN_RULES, _("Suggest rules")), job_action(JobKind.CAMPAIGN_COPY, _("Generate copy"))]

    def get_queryset(self, request):
        counts = {f"n_{status}": Count("copies", filter=Q(copies__status=status)) for status in CampaignCopy.Status.values}
        return super().get_queryset(request).annotate(**counts)

    @admin.display(description=_("products"))
    def product_count(self, campaign):
        return len(campaign.product_ids or [])

    @admin.display(description=_("copy (ready / needs review / chosen)"))
    def copy_counts(self, campaign):
        return format_html("{} / {} / {}", getattr(campaign, "n_ready", 0), getattr(campaign, "n_needs_review", 0),
                           getattr(campaign, "n_chosen", 0))

    @admin.display(description=_("products (as last checked)"))
    def products_table(self, campaign):
        rows = campaign.products_snapshot or []
        if not rows:
            return "-"
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                                ((p.get("id"), p.get("name"), p.get("price"), p.get("cost"), p.get("stock")) for p in rows))
        return format_html('<table class="ecom-ai-products"><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>',
                           "id", _("name"), _("price"), _("cost"), _("stock"), body)

    @admin.display(description=_("why these rules"))
    def reasons_list(self, campaign):
        if not campaign.rule_reasons:
            return "-"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in campaign.rule_reasons)))

    def save_model(self, request, obj, form, change):
        # Saves and re-checks the copy (a changed rule invalidates copy checked against the old one);
        # the form has already run full_clean.
        svc.save_campaign(obj, user=request.user, clean=False)

    # -- copy variants on the change page ---------------------------------------------------
    def get_urls(self):
        urls = [
            path("<int:campaign_id>/copy/<int:copy_id>/choose/", self.admin_site.admin_view(self.choose_view),
                 name="ecom_ai_campaign_choose_copy"),
            path("<int:campaign_id>/copy/<int:copy_id>/edit/", self.admin_site.admin_view(self.edit_view),
                 name="ecom_ai_campaign_edit_copy"),
        ]
        return urls + super().get_urls()

    def copy_grid(self, campaign) -> list[dict]:
        """Per language, per channel, the variants in order (the template lays them side by side)."""
        copies = list(campaign.copies.order_by("language", "channel", "variant", "id"))
        grid = []
        for language, label in (("zh", _("Chinese")), ("en", _("English"))):
            mine = [c for c in copies if c.language == language]
            if not mine:
                continue
            rows = [{"channel": ch, "label": lbl, "copies": [c for c in mine if c.channel == ch]}
                    for ch, lbl in CampaignCopy.Channel.choices]
            grid.append({"language": language, "label": label, "rows": [r for r in rows if r["copies"]],
                         "width": max(len(r["copies"]) for r in rows)})
        return grid

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        campaign = self.get_object(request, object_id)
        if campaign is not None:
            extra_context["copy_grid"] = self.copy_grid(campaign)
            extra_context["can_change_copy"] = request.user.has_perm("ecom_ai.change_campaigncopy")
        return super().change_view(request, object_id, form_url, extra_context)

    def _copy_for(self, request, campaign_id, copy_id):
        if request.method != "POST":
            return None, HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("ecom_ai.change_campaigncopy"):
            raise PermissionDenied
        campaign = get_object_or_404(self.get_queryset(request), pk=campaign_id)
        copy = get_object_or_404(CampaignCopy, pk=copy_id, campaign=campaign)
        return copy, None

    def _back(self, campaign_id):
        return HttpResponseRedirect(reverse("admin:ecom_ai_campaign_change", args=[campaign_id]) + "#copy-variants")

    def choose_view(self, request, campaign_id, copy_id):
        copy, error = self._copy_for(request, campaign_id, copy_id)
        if error:
            return error
        try:
            svc.choose_copy(copy, user=request.user)
        except svc.CampaignError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, _("Chosen: %(channel)s (%(language)s) variant %(variant)d.") % {
                "channel": copy.get_channel_display(), "language": copy.language, "variant": copy.variant + 1},
                messages.SUCCESS)
        return self._back(campaign_id)

    def edit_view(self, request, campaign_id, copy_id):
        copy, error = self._copy_for(request, campaign_id, copy_id)
        if error:
            return error
        check = svc.edit_copy(copy, request.POST.get("text", ""), user=request.user)
        if check.ok:
            self.message_user(request, _("Edit saved; it passes the checks."), messages.SUCCESS)
        else:
            self.message_user(request, _("Edit saved, but it needs review: %(reasons)s") % {"reasons": "; ".join(check.reasons)},
                              messages.WARNING)
        return self._back(campaign_id)


@admin.register(CampaignCopy)
class CampaignCopyAdmin(admin.ModelAdmin):
    list_display = ("campaign", "channel", "language", "variant", "status", "short_text", "model_id", "updated_at")
    list_filter = ("status", "channel", "language", "campaign__kind")
    list_select_related = ("campaign",)
    search_fields = ("text", "edited_text", "campaign__name")
    fields = ("campaign", "channel", "language", "variant", "status", "text", "edited_text", "reasons_list",
              "backend", "model_id", "job", "tokens_in", "tokens_out", "edited_by", "created_at", "updated_at")
    readonly_fields = ("campaign", "channel", "language", "variant", "status", "text", "reasons_list", "backend",
                       "model_id", "job", "tokens_in", "tokens_out", "edited_by", "created_at", "updated_at")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("text"))
    def short_text(self, copy):
        text = copy.current_text
        return text if len(text) <= 60 else text[:59] + "…"

    @admin.display(description=_("check reasons"))
    def reasons_list(self, copy):
        if not copy.reasons:
            return "-"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in copy.reasons)))

    def save_model(self, request, obj, form, change):
        # Every edit is checked again against the campaign's current rule.
        check = svc.edit_copy(obj, obj.edited_text, user=request.user)
        if not check.ok:
            self.message_user(request, _("The copy needs review: %(reasons)s") % {"reasons": "; ".join(check.reasons)},
                              messages.WARNING)


@admin.register(BannedTerm)
class BannedTermAdmin(admin.ModelAdmin):
    list_display = ("term", "language", "is_active", "note", "created_at")
    list_filter = ("language", "is_active")
    search_fields = ("term", "note")
