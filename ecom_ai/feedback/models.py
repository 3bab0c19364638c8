"""Models of the feedback feature: one FeedbackSummary per product or category and run; the shop's FeedbackAspects."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackSummary(models.Model):
    """What customers say about a product (or a whole category): sentiment counts, themes with
    true counts, a paragraph that cites reviews, improvement actions and a weekly trend."""

    class Scope(models.TextChoices):
        PRODUCT = "product", _("Product")
        CATEGORY = "category", _("Category")

    class Status(models.TextChoices):
        GOOD = "good", _("Good")
        NEEDS_REVIEW = "needs_review", _("Needs review")

    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.PRODUCT, db_index=True)
    product_id = models.BigIntegerField(_("product id"), null=True, blank=True, db_index=True)
    product_name = models.CharField(_("product"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=5, default="zh")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.GOOD, db_index=True)

    review_count = models.PositiveIntegerField(_("reviews"), default=0, help_text=_("All reviews read, duplicates included."))
    distinct_count = models.PositiveIntegerField(_("distinct opinions"), default=0,
                                                 help_text=_("Reviews counted: identical texts once, flagged ones left out."))
    duplicate_count = models.PositiveIntegerField(_("duplicates"), default=0)
    flagged_count = models.PositiveIntegerField(_("flagged"), default=0,
                                                help_text=_("Reviews that try to instruct the AI; left out and shown for moderation."))
    positive_count = models.PositiveIntegerField(_("positive"), default=0)
    negative_count = models.PositiveIntegerField(_("negative"), default=0)
    neutral_count = models.PositiveIntegerField(_("no sentiment"), default=0)
    sentiment_source = models.CharField(_("sentiment from"), max_length=100, blank=True)

    themes = models.JSONField(_("themes"), default=list, blank=True)
    trend = models.JSONField(_("weekly trend"), default=list, blank=True)
    flagged_review_ids = models.JSONField(_("flagged reviews"), default=list, blank=True)
    text = models.TextField(_("summary"), blank=True)
    actions = models.JSONField(_("improvement actions"), default=list, blank=True)
    check_ok = models.BooleanField(_("check passed"), default=True)
    check_reasons = models.JSONField(_("check reasons"), default=list, blank=True)
    facts = models.JSONField(_("facts"), default=list, blank=True)

    backend = models.CharField(_("backend"), max_length=100, blank=True)
    model_id = models.CharField(_("model"), max_length=200, blank=True)
    tokens_in = models.PositiveIntegerField(_("tokens in"), default=0)
    tokens_out = models.PositiveIntegerField(_("tokens out"), default=0)
    job = models.ForeignKey("ecom_ai.AIJob", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("job"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("feedback summary")
        verbose_name_plural = _("feedback summaries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["scope", "product_id", "status", "-created_at"], name="ecom_ai_fb_product_latest"),
                   models.Index(fields=["scope", "category", "status", "-created_at"], name="ecom_ai_fb_category_latest")]

    def __str__(self):
        target = self.product_name or (f"#{self.product_id}" if self.product_id else self.category)
        return f"{self.get_scope_display()} {target} ({self.get_status_display()})"

    @property
    def needs_review(self) -> bool:
        return self.status == self.Status.NEEDS_REVIEW


class FeedbackAspect(models.Model):
    """A shop's own review aspect, or its edits of a canonical one (same slug as in ``data/aspects.json``):
    display names, extra words that name it (synonyms), the team its improvement actions go to, and the
    action itself. Canonical aspects without a row keep their built-in words, team and action."""

    class Team(models.TextChoices):
        LOGISTICS = "logistics", _("Logistics")
        WAREHOUSE = "warehouse", _("Warehouse")
        SERVICE = "service", _("Customer service")
        QUALITY = "quality", _("Quality control")
        PRODUCT = "product", _("Product")
        PRICING = "pricing", _("Pricing")
        MARKETING = "marketing", _("Marketing")
        INSTALLATION = "installation", _("Installation")
        HOUSEKEEPING = "housekeeping", _("Housekeeping")
        CATERING = "catering", _("Catering")
        MAINTENANCE = "maintenance", _("Maintenance")

    slug = models.SlugField(_("slug"), max_length=40, unique=True,
                            help_text=_("A canonical slug (logistics, packaging, service…) edits that aspect; a new one adds an aspect."))
    name = models.CharField(_("name"), max_length=40, blank=True, help_text=_("Shown in summaries (Chinese)."))
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    synonyms = models.TextField(_("synonyms"), blank=True,
                                help_text=_("Words that name this aspect in reviews, separated by commas or new lines."))
    team = models.CharField(_("team"), max_length=20, choices=Team.choices, default=Team.PRODUCT)
    action = models.CharField(_("improvement action"), max_length=200, blank=True,
                              help_text=_("What the team should do when customers complain about it (empty: the built-in one)."))
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("feedback aspect")
        verbose_name_plural = _("feedback aspects")
        ordering = ["slug"]

    def __str__(self):
        return self.name or self.slug

    def synonym_list(self) -> list[str]:
        return [w.strip() for w in self.synonyms.replace("，", ",").replace("\n", ",").split(",") if w.strip()]


class ImprovementAction(models.Model):
    """An improvement action from a summary that staff marked done, on a date: the Impact page compares the
    share of reviews that blame its aspect in the weeks before that date and in the weeks after."""

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        REOPENED = "reopened", _("Reopened")

    summary = models.ForeignKey(FeedbackSummary, models.SET_NULL, null=True, blank=True, related_name="taken_actions",
                                verbose_name=_("summary"))
    scope = models.CharField(_("scope"), max_length=10, choices=FeedbackSummary.Scope.choices, default=FeedbackSummary.Scope.PRODUCT)
    product_id = models.BigIntegerField(_("product id"), null=True, blank=True, db_index=True)
    product_name = models.CharField(_("product"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    aspect = models.SlugField(_("aspect"), max_length=60)
    label = models.CharField(_("aspect name"), max_length=60, blank=True)
    team = models.CharField(_("team"), max_length=20, choices=FeedbackAspect.Team.choices, default=FeedbackAspect.Team.PRODUCT)
    text = models.TextField(_("action"), blank=True)
    negative = models.PositiveIntegerField(_("reviews blaming it"), default=0, help_text=_("When the summary was written."))
    of = models.PositiveIntegerField(_("of reviews"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DONE, db_index=True)
    done_at = models.DateTimeField(_("done on"), db_index=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("marked done by"))

    class Meta:
        verbose_name = _("improvement action taken")
        verbose_name_plural = _("improvement actions taken")
        ordering = ["-done_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["summary", "aspect"], name="ecom_ai_action_once_per_summary")]

    def __str__(self):
        return f"{self.label or self.aspect} · {self.product_name or self.category or self.product_id}"


__all__ = ["FeedbackSummary", "FeedbackAspect", "ImprovementAction"]
