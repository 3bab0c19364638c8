"""Models of the inquiries feature: customer questions, their AI reply drafts, and approved pairs kept as training data.

The host shop's customer, order and product are stored as integer ids (ecom_ai never imports the
shop); the Django user is a real foreign key, used for ownership checks in the API.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Inquiry", "ReplyDraft", "ApprovedReply"]


class Inquiry(models.Model):
    """One question a customer asked (用户咨询)."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        DRAFTED = "drafted", _("Drafted")
        APPROVED = "approved", _("Approved")
        SENT = "sent", _("Sent")
        HANDED_OVER = "handed_over", _("Handed over to a person")

    class Intent(models.TextChoices):
        PRODUCT = "product", _("Product question")
        LOGISTICS = "logistics", _("Logistics")
        AFTER_SALES = "after_sales", _("After-sales")
        COMPLAINT = "complaint", _("Complaint")
        OTHER = "other", _("Other")

    class Channel(models.TextChoices):
        WEB = "web", _("Website")
        APP = "app", _("App")
        CHAT = "chat", _("Chat")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        OTHER = "other", _("Other")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             related_name="ecom_ai_inquiries", verbose_name=_("user"))
    customer_id = models.IntegerField(_("customer id"), db_index=True,
                                      help_text=_("The host shop's customer id."))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    text = models.TextField(_("question"))
    language = models.CharField(_("language"), max_length=8, default="zh")
    order_id = models.IntegerField(_("order id"), null=True, blank=True)
    product_id = models.IntegerField(_("product id"), null=True, blank=True)
    intent = models.CharField(_("intent"), max_length=16, choices=Intent.choices, blank=True, db_index=True)
    intent_confidence = models.FloatField(_("intent confidence"), null=True, blank=True)
    intent_labelled = models.BooleanField(
        _("intent checked by staff"), default=False,
        help_text=_("Staff confirmed the intent; such inquiries train the intent classifier."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW, db_index=True)
    handover_reason = models.TextField(_("hand-over reason"), blank=True)
    job = models.ForeignKey("ecom_ai.AIJob", models.SET_NULL, null=True, blank=True, related_name="+",
                            verbose_name=_("latest job"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-created_at", "-id"]
        permissions = [("reply_inquiry", _("Can edit, approve and send inquiry replies"))]
        indexes = [models.Index(fields=["customer_id", "-created_at"], name="ecom_ai_inq_cust_created")]

    def __str__(self):
        text = self.text if len(self.text) <= 40 else self.text[:39] + "…"
        return f"#{self.pk} {text}"

    @property
    def handed_over(self) -> bool:
        return self.status == self.Status.HANDED_OVER

    @property
    def latest_draft(self):
        return self.drafts.order_by("-created_at", "-id").first()


class ReplyDraft(models.Model):
    """A reply written by a backend from grounded facts, for a person to check, edit, approve and send."""

    inquiry = models.ForeignKey(Inquiry, models.CASCADE, related_name="drafts", verbose_name=_("inquiry"))
    job = models.ForeignKey("ecom_ai.AIJob", models.SET_NULL, null=True, blank=True, related_name="+",
                            verbose_name=_("job"))
    text = models.TextField(_("draft"))
    facts = models.JSONField(_("facts used"), default=list, blank=True,
                             help_text=_("[{key, value, source, label}], each with where it came from."))
    answer_keys = models.JSONField(_("answer keys"), default=list, blank=True)
    intent = models.CharField(_("intent"), max_length=16, choices=Inquiry.Intent.choices, blank=True)
    backend = models.CharField(_("backend"), max_length=64, blank=True)
    model_id = models.CharField(_("model"), max_length=200, blank=True)
    check_ok = models.BooleanField(_("check passed"), default=False)
    check_reasons = models.JSONField(_("check findings"), default=list, blank=True)
    needs_review = models.BooleanField(_("needs review"), default=True, db_index=True)
    handover = models.BooleanField(_("hand over"), default=False)
    handover_reason = models.TextField(_("hand-over reason"), blank=True)
    confidence = models.FloatField(_("confidence"), default=0.0)
    tokens_in = models.PositiveIntegerField(_("tokens in"), default=0)
    tokens_out = models.PositiveIntegerField(_("tokens out"), default=0)
    edited_text = models.TextField(_("edited reply"), blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("reply draft")
        verbose_name_plural = _("reply drafts")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"#{self.pk} → {self.inquiry_id}"

    @property
    def final_text(self) -> str:
        """What the customer receives: the edited text when staff changed it, else the draft."""
        return self.edited_text or self.text


class ApprovedReply(models.Model):
    """An approved question/reply pair, kept as training data (fine-tuning a reply model, intent labels)."""

    inquiry = models.ForeignKey(Inquiry, models.SET_NULL, null=True, blank=True, related_name="approved_replies",
                                verbose_name=_("inquiry"))
    draft = models.ForeignKey(ReplyDraft, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("draft"))
    question = models.TextField(_("question"))
    reply = models.TextField(_("reply"))
    intent = models.CharField(_("intent"), max_length=16, choices=Inquiry.Intent.choices, blank=True)
    language = models.CharField(_("language"), max_length=8, default="zh")
    facts = models.JSONField(_("facts"), default=list, blank=True)
    edited = models.BooleanField(_("edited by staff"), default=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("approved reply (training data)")
        verbose_name_plural = _("approved replies (training data)")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"#{self.pk} {self.question[:30]}"
