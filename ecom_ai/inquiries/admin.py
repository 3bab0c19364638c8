"""Admin of the inquiries feature: the inquiry list, "Draft AI replies", and a page to compare, edit, approve and send."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ecom_ai.jobs.actions import JobActionsMixin
from ecom_ai.inquiries.models import ApprovedReply, Inquiry, ReplyDraft
from ecom_ai.inquiries import services as service
from ecom_ai.jobs.admin_base import ReadOnlyTabularInline


class HandoverFilter(admin.SimpleListFilter):
    title = _("handed over")
    parameter_name = "handover"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=Inquiry.Status.HANDED_OVER)
        if self.value() == "no":
            return queryset.exclude(status=Inquiry.Status.HANDED_OVER)
        return queryset


class ReplyDraftInline(ReadOnlyTabularInline):
    model = ReplyDraft
    fields = ("created_at", "text", "check_ok", "needs_review", "confidence", "model_id", "approved_by", "approved_at")


@admin.register(Inquiry)
class InquiryAdmin(JobActionsMixin, admin.ModelAdmin):
    list_display = ("id", "short_text", "customer_id", "intent", "status", "handover_flag", "channel", "created_at", "reply_link")
    list_filter = ("intent", "status", HandoverFilter, "channel", "language", "intent_labelled")
    search_fields = ("=id", "text", "=customer_id")
    readonly_fields = ("user", "customer_id", "channel", "text", "language", "order_id", "product_id", "intent_confidence",
                       "status", "handover_reason", "job", "created_at", "updated_at", "sent_at")
    fields = ("text", ("customer_id", "user", "channel", "language"), ("order_id", "product_id"),
              ("intent", "intent_confidence", "intent_labelled"), ("status", "handover_reason"), "job",
              ("created_at", "updated_at", "sent_at"))
    inlines = [ReplyDraftInline]
    actions = ["start_inquiry_reply_job"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False  # customers ask through the API; staff do not invent questions

    @admin.action(description=_("Draft AI replies"), permissions=["run_ai_job"])
    def start_inquiry_reply_job(self, request, queryset):
        """Draft the selected inquiries that qualify; say what was skipped and why (not as failures)."""
        result = service.draft_selected(queryset, user=request.user)
        if result.already_sent:
            self.message_user(request, ngettext(
                "%(count)d inquiry already approved or sent, skipped.",
                "%(count)d inquiries already approved or sent, skipped.", result.already_sent,
            ) % {"count": result.already_sent}, messages.WARNING)
        if result.already_running:
            self.message_user(request, ngettext(
                "%(count)d inquiry is being drafted already, skipped.",
                "%(count)d inquiries are being drafted already, skipped.", result.already_running,
            ) % {"count": result.already_running}, messages.WARNING)
        if result.job is not None:
            url = reverse("admin:ecom_ai_aijob_change", args=[result.job.pk])
            text = ngettext("Started AI job #%(job)d over %(count)d inquiry.",
                            "Started AI job #%(job)d over %(count)d inquiries.", result.drafting,
                            ) % {"job": result.job.pk, "count": result.drafting}
            self.message_user(request, format_html('{} <a href="{}">{}</a>', text, url, _("Follow its progress")),
                              messages.SUCCESS)
        elif not (result.already_sent or result.already_running):
            self.message_user(request, _("Could not start drafting."), messages.ERROR)

    def save_model(self, request, obj, form, change):
        if "intent" in form.changed_data:
            obj.intent_labelled = True  # a person set it: a training label
        super().save_model(request, obj, form, change)

    @admin.display(description=_("question"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 60 else obj.text[:59] + "…"

    @admin.display(description=_("handed over"), boolean=True)
    def handover_flag(self, obj):
        return obj.status == Inquiry.Status.HANDED_OVER

    @admin.display(description=_("reply"))
    def reply_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:ecom_ai_inquiry_reply", args=[obj.pk]), _("Compare & reply"))

    def has_reply_permission(self, request) -> bool:
        return request.user.has_perm("ecom_ai.reply_inquiry")

    def get_urls(self):
        return [path("<int:inquiry_id>/reply/", self.admin_site.admin_view(self.reply_view), name="ecom_ai_inquiry_reply")] + super().get_urls()

    def reply_view(self, request, inquiry_id):
        """Compare question, facts with sources, draft and check; edit, approve and send (POST, CSRF, permission)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        inquiry = get_object_or_404(Inquiry, pk=inquiry_id)
        drafts = list(inquiry.drafts.select_related("approved_by").order_by("-created_at", "-id"))
        draft = drafts[0] if drafts else None
        if request.method == "POST":
            if not self.has_reply_permission(request):
                raise PermissionDenied
            action = request.POST.get("action")
            try:
                if action in ("approve", "approve_send"):
                    if draft is None:
                        raise service.InquiryError(str(_("There is no draft to approve yet.")))
                    service.approve_draft(draft, user=request.user, edited_text=request.POST.get("text"))
                    self.message_user(request, _("Reply approved."), messages.SUCCESS)
                    if action == "approve_send":
                        inquiry.refresh_from_db()
                        service.send_reply(inquiry, user=request.user)
                        self.message_user(request, _("Reply sent."), messages.SUCCESS)
                elif action == "send":
                    service.send_reply(inquiry, user=request.user)
                    self.message_user(request, _("Reply sent."), messages.SUCCESS)
                elif action == "redraft":
                    job = service.start_drafting(Inquiry.objects.filter(pk=inquiry.pk), user=request.user)
                    if job is None:
                        raise service.InquiryError(str(_("Could not start drafting.")))
                    self.message_user(request, _("Drafting started."), messages.SUCCESS)
                else:
                    return HttpResponseNotAllowed(["POST"], content="unknown action")
            except service.InquiryError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:ecom_ai_inquiry_reply", args=[inquiry.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Reply to inquiry #%(id)s") % {"id": inquiry.pk},
            "inquiry": inquiry,
            "draft": draft,
            "older_drafts": drafts[1:],
            "can_reply": self.has_reply_permission(request),
            "can_run": self.has_run_ai_job_permission(request),
            "original": inquiry,
        }
        return TemplateResponse(request, "admin/ecom_ai/inquiry/reply.html", context)


@admin.register(ReplyDraft)
class ReplyDraftAdmin(admin.ModelAdmin):
    list_display = ("id", "inquiry", "check_ok", "needs_review", "handover", "confidence", "model_id", "approved_at", "created_at")
    list_filter = ("check_ok", "needs_review", "handover", "intent", "backend")
    readonly_fields = [f.name for f in ReplyDraft._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApprovedReply)
class ApprovedReplyAdmin(admin.ModelAdmin):
    list_display = ("id", "question", "intent", "language", "edited", "approved_by", "created_at")
    list_filter = ("intent", "language", "edited")
    search_fields = ("question", "reply")
    readonly_fields = ("inquiry", "draft", "question", "reply", "intent", "language", "facts", "edited", "approved_by", "created_at")

    def has_add_permission(self, request):
        return False
