"""Models of the campaigns feature (营销活动): coupon, flash-sale and group-buy rules, their copy, and banned terms.

The host shop's products are stored as integer ids with a snapshot of name, price, cost and stock
taken when the rule was last saved (ecom_ai never imports the shop). ``Campaign.clean`` checks only
what a campaign says about itself (dates in order, numbers above zero, ids that are ids); the
shop's limits and products are checked by the validators of ``ecom_ai.campaigns.rules``, which the
admin form, the services and the jobs call.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["Campaign", "CampaignCopy", "BannedTerm"]


class Campaign(models.Model):
    """One marketing campaign: a coupon (满减 or percent off), a flash sale (秒杀) or a group buy (团购)."""

    class Kind(models.TextChoices):
        COUPON = "coupon", _("Coupon")
        FLASH_SALE = "flash_sale", _("Flash sale")
        GROUP_BUY = "group_buy", _("Group buy")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        PAUSED = "paused", _("Paused")

    class Language(models.TextChoices):
        ZH = "zh", _("Chinese")
        EN = "en", _("English")
        BOTH = "both", _("Chinese and English")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True,
                              help_text=_("Only published campaigns are shown to customers, between start and end."))
    language = models.CharField(_("copy language"), max_length=4, choices=Language.choices, default=Language.BOTH)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True, db_index=True)

    # the host shop's products, by id, and what they looked like when the rule was last checked
    product_ids = models.JSONField(_("product ids"), default=list, blank=True,
                                   help_text=_("Ids of the shop's products in this campaign."))
    products_snapshot = models.JSONField(_("products (snapshot)"), default=list, blank=True, editable=False)

    # coupon: 满减 (threshold + amount) or percent off
    threshold = models.DecimalField(_("threshold (满)"), max_digits=10, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("amount off (减)"), max_digits=10, decimal_places=2, null=True, blank=True)
    percent_off = models.DecimalField(_("percent off"), max_digits=5, decimal_places=2, null=True, blank=True)
    total_issued = models.PositiveIntegerField(_("coupons issued"), null=True, blank=True)
    # flash sale
    sale_price = models.DecimalField(_("flash-sale price"), max_digits=10, decimal_places=2, null=True, blank=True)
    stock_cap = models.PositiveIntegerField(_("stock cap"), null=True, blank=True)
    # group buy
    group_size = models.PositiveSmallIntegerField(_("group size"), null=True, blank=True)
    group_price = models.DecimalField(_("group price"), max_digits=10, decimal_places=2, null=True, blank=True)
    fill_hours = models.PositiveIntegerField(_("hours to fill a group"), null=True, blank=True)
    # every kind
    per_customer_limit = models.PositiveIntegerField(_("limit per customer"), null=True, blank=True)

    rule_reasons = models.JSONField(_("why these rules"), default=list, blank=True, editable=False,
                                    help_text=_("Reasons given by the last rule suggestion."))
    suggested_at = models.DateTimeField(_("rules suggested at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "starts_at", "ends_at"], name="ecom_ai_campaign_active_idx")]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self):
        """Intrinsic checks only: nothing here reads the shop or the settings."""
        errors: dict[str, list] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors.setdefault("ends_at", []).append(_("The end must be after the start."))
        ids = self.product_ids
        if ids not in (None, "") and not (isinstance(ids, list) and all(
                isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids)):
            errors.setdefault("product_ids", []).append(_("Product ids must be a list of numbers."))
        for name in ("threshold", "amount", "percent_off", "sale_price", "group_price", "total_issued", "stock_cap",
                     "fill_hours", "per_customer_limit"):
            value = getattr(self, name)
            if isinstance(value, (int, float, Decimal)) and value <= 0:
                errors.setdefault(name, []).append(_("Must be greater than 0."))
        if self.group_size is not None and self.group_size < 2:
            errors.setdefault("group_size", []).append(_("A group needs at least two people."))
        if errors:
            raise ValidationError(errors)

    @property
    def price(self):
        """The price a customer pays under the rule (flash-sale or group price), or None for a coupon."""
        if self.kind == self.Kind.FLASH_SALE:
            return self.sale_price
        if self.kind == self.Kind.GROUP_BUY:
            return self.group_price
        return None

    def is_running(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.status == self.Status.PUBLISHED and self.starts_at is not None and self.ends_at is not None
                and self.starts_at <= now < self.ends_at)


class CampaignCopy(models.Model):
    """One copy variant for one channel and language; ready only when its numbers and words pass the checks."""

    class Channel(models.TextChoices):
        TITLE = "title", _("Title")
        BANNER = "banner", _("Product-page banner")
        PUSH = "push", _("Push notification")
        SMS = "sms", _("SMS")
        EMAIL_SUBJECT = "email_subject", _("E-mail subject")
        EMAIL_BODY = "email_body", _("E-mail body")

    class Status(models.TextChoices):
        READY = "ready", _("Ready")
        NEEDS_REVIEW = "needs_review", _("Needs review")
        CHOSEN = "chosen", _("Chosen")

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="copies", verbose_name=_("campaign"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=4, choices=[("zh", _("Chinese")), ("en", _("English"))])
    variant = models.PositiveSmallIntegerField(_("variant"), default=0)
    text = models.TextField(_("generated text"), blank=True)
    edited_text = models.TextField(_("edited text"), blank=True,
                                   help_text=_("A person's edit; checked again on save. Empty: the generated text is used."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEEDS_REVIEW,
                              db_index=True)
    check_ok = models.BooleanField(_("checks passed"), default=False)
    reasons = models.JSONField(_("check reasons"), default=list, blank=True)
    facts = models.JSONField(_("facts used"), default=list, blank=True)
    rule_fingerprint = models.CharField(_("rule fingerprint"), max_length=64, blank=True,
                                        help_text=_("The rule this copy was checked against; a changed rule needs a new check."))
    backend = models.CharField(_("backend"), max_length=64, blank=True)
    model_id = models.CharField(_("model"), max_length=200, blank=True)
    job = models.ForeignKey("ecom_ai.AIJob", models.SET_NULL, null=True, blank=True, related_name="+",
                            verbose_name=_("job"))
    tokens_in = models.PositiveIntegerField(_("tokens in"), default=0)
    tokens_out = models.PositiveIntegerField(_("tokens out"), default=0)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("edited by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("campaign copy")
        verbose_name_plural = _("campaign copies")
        ordering = ["campaign_id", "language", "channel", "variant", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "channel", "language"], condition=models.Q(status="chosen"),
                                    name="ecom_ai_campaigncopy_one_chosen"),
        ]

    def __str__(self):
        return f"{self.campaign_id} {self.channel}/{self.language} #{self.variant}"

    @property
    def current_text(self) -> str:
        """What would be published: the edit when there is one, else the generated text."""
        return self.edited_text or self.text


class BannedTerm(models.Model):
    """An absolute term a shop adds to the built-in list from China's Advertising Law (最, 第一, 顶级 …)."""

    class Language(models.TextChoices):
        ANY = "any", _("Any language")
        ZH = "zh", _("Chinese")
        EN = "en", _("English")

    term = models.CharField(_("term"), max_length=50, unique=True)
    language = models.CharField(_("language"), max_length=4, choices=Language.choices, default=Language.ANY)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("banned term")
        verbose_name_plural = _("banned terms")
        ordering = ["term"]

    def __str__(self):
        return self.term
