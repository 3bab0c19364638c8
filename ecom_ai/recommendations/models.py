"""Models of the recommendations feature: one current recommendation set per customer, and the
pinned / blocked products staff keep as data."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

__all__ = ["RecommendationSet", "RecommendationRule", "CategoryPolicy", "ServedList"]


class RecommendationSet(models.Model):
    """The ranked products computed for one customer of the host shop, with a reason each.

    ``items`` is a list of ``{"product_id", "score", "reason", "source", "reason_ok"}``, best first.
    """

    class Status(models.TextChoices):
        OK = "ok", _("OK")
        NEEDS_REVIEW = "needs_review", _("Needs review")

    # the host shop's customer id: ecom_ai never imports the shop's models
    customer_id = models.BigIntegerField(_("customer id"), unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="ai_recommendation_sets")
    items = models.JSONField(_("items"), default=list, blank=True)
    model_version = models.CharField(_("model version"), max_length=64, blank=True)
    request_id = models.UUIDField(_("request id"), default=uuid.uuid4, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OK, db_index=True)
    review_notes = models.TextField(_("review notes"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    job = models.ForeignKey("ecom_ai.AIJob", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    created_at = models.DateTimeField(_("computed at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("recommendation set")
        verbose_name_plural = _("recommendation sets")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return gettext("customer %(id)s: %(n)d products") % {"id": self.customer_id, "n": len(self.items or [])}


class RecommendationRule(models.Model):
    """A product staff pin to the top of lists, or block from them (everywhere or in one category)."""

    class Action(models.TextChoices):
        PIN = "pin", _("Pin")
        BLOCK = "block", _("Block")

    product_id = models.BigIntegerField(_("product id"), db_index=True)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    category = models.CharField(_("category"), max_length=100, blank=True,
                                help_text=_("Empty: every list. Otherwise only lists of this category."))
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Pinned products are shown in this order."))
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("recommendation rule")
        verbose_name_plural = _("recommendation rules")
        ordering = ["action", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["product_id", "action", "category"], name="ecom_ai_rec_rule_unique")]

    def __str__(self):
        return f"{self.get_action_display()} {self.product_id}" + (f" ({self.category})" if self.category else "")


class CategoryPolicy(models.Model):
    """How recommendations treat one product category of the host shop (staff edit it in the admin).

    A durable category (phones, laptops, water heaters) is held back for ``repurchase_days`` after a
    customer buys from it: they need no second phone next week. A consumable one (fruit, shampoo)
    is offered again. A standalone category (hotel rooms, services) is never the "because you bought"
    partner of another category's products, in either direction.
    """

    category = models.CharField(_("category"), max_length=100, unique=True)
    consumable = models.BooleanField(_("consumable"), default=False,
                                     help_text=_("Bought again and again: offered again after a purchase."))
    repurchase_days = models.PositiveIntegerField(
        _("repurchase days"), default=365,
        help_text=_("After a purchase of a durable product of this category, no more of it for this many days."))
    standalone = models.BooleanField(_("standalone"), default=False,
                                     help_text=_("Never explained by, or explaining, a purchase in another category."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("category policy")
        verbose_name_plural = _("category policies")
        ordering = ["category"]

    def __str__(self):
        return self.category


class ServedList(models.Model):
    """A list the API served, under the ``request_id`` its answer carried: the impact events a frontend posts
    with that id are read back to the customer, model version and products that were shown. Kept
    ``SERVED_KEEP_DAYS`` (the nightly recompute prunes older ones)."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal")
        SIMILAR = "similar", _("Similar products")
        BOUGHT_TOGETHER = "bought_together", _("Bought together")

    request_id = models.UUIDField(_("request id"), unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    customer_id = models.BigIntegerField(_("customer id"), null=True, blank=True,
                                         help_text=_("The customer a personal list was served to."))
    product_id = models.BigIntegerField(_("product id"), null=True, blank=True,
                                        help_text=_("The product a similar / bought-together list was for."))
    model_version = models.CharField(_("model version"), max_length=64, blank=True)
    product_ids = models.JSONField(_("products shown"), default=list)
    served_at = models.DateTimeField(_("served at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("served recommendation list")
        verbose_name_plural = _("served recommendation lists")
        ordering = ["-served_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.request_id}"
