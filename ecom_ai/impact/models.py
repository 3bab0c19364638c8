"""Models of the impact feature: events customers cause, and A/B experiments.

Customers, products, orders, recommendation sets and campaign copies are stored as plain ids, so
an event outlives the row it points at and this package imports no other feature.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ImpactEvent", "Experiment", "ImpactReport", "arm_errors"]


def default_min_per_arm() -> int:
    """``ECOM_AI["IMPACT"]["MIN_PER_ARM"]``: below it in any arm a readout says the sample is too small."""
    from ecom_ai.conf import DEFAULTS, ecom_ai_settings

    return int((ecom_ai_settings.IMPACT or {}).get("MIN_PER_ARM") or DEFAULTS["IMPACT"]["MIN_PER_ARM"])


def arm_errors(kind: str, arms) -> list[str]:
    """What is wrong with an experiment's arms (empty when nothing is)."""
    from django.utils.translation import gettext

    if not isinstance(arms, list) or not 2 <= len(arms) <= 10:
        return [gettext("An experiment needs a list of 2 to 10 arms.")]
    errors, names = [], set()
    for i, arm in enumerate(arms, 1):
        if not isinstance(arm, dict) or set(arm) - {"name", "serves", "share"} or not {"name", "serves", "share"} <= set(arm):
            errors.append(gettext("Arm %(n)d must be {\"name\", \"serves\", \"share\"}.") % {"n": i})
            continue
        name, serves, share = arm["name"], arm["serves"], arm["share"]
        if not isinstance(name, str) or not name.strip() or len(name) > 40 or name in names:
            errors.append(gettext("Arm %(n)d needs a name of its own (at most 40 characters).") % {"n": i})
        names.add(name)
        if kind == Experiment.Kind.COPY and (not isinstance(serves, int) or isinstance(serves, bool) or serves < 1):
            errors.append(gettext("Arm %(n)d must serve a campaign copy id (a positive integer).") % {"n": i})
        elif kind != Experiment.Kind.COPY and (not isinstance(serves, str) or not serves.strip() or len(serves) > 64):
            errors.append(gettext("Arm %(n)d must serve a recommender model version (at most 64 characters).") % {"n": i})
        if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 < share <= 1:
            errors.append(gettext("Arm %(n)d's share must be a number above 0 and at most 1.") % {"n": i})
    if not errors and abs(sum(a["share"] for a in arms) - 1) > 1e-6:
        errors.append(gettext("The arms' shares must add up to 1."))
    return errors


class ImpactEvent(models.Model):
    """One thing a customer did with what the AI showed them: saw it, clicked it, carted it, ordered it.

    ``event_id`` is the client's id for the event: a repeated id (per customer) is stored once. An
    order event also names its order: one (customer, order, product) is counted once, whether the
    client posted it, the shop's orders were attributed, or both.
    """

    class Kind(models.TextChoices):
        IMPRESSION = "impression", _("Impression")
        CLICK = "click", _("Click")
        ADD_TO_CART = "add_to_cart", _("Add to cart")
        ORDER = "order", _("Order")

    class Source(models.TextChoices):
        RECOMMENDATION = "recommendation", _("Recommendation")
        CAMPAIGN = "campaign", _("Campaign copy")

    class Origin(models.TextChoices):
        CLIENT = "client", _("Posted by the shop's frontend")
        ATTRIBUTED = "attributed", _("Attributed from the shop's orders")
        SIMULATED = "simulated", _("Simulated (demo)")

    customer_id = models.BigIntegerField(_("customer id"))
    event_id = models.CharField(_("event id"), max_length=64)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    request_id = models.UUIDField(_("recommendation request id"), null=True, blank=True)
    model_version = models.CharField(_("model version"), max_length=64, blank=True)
    copy_id = models.BigIntegerField(_("campaign copy id"), null=True, blank=True)
    campaign_id = models.BigIntegerField(_("campaign id"), null=True, blank=True)
    variant = models.PositiveSmallIntegerField(_("copy variant"), null=True, blank=True)
    product_id = models.BigIntegerField(_("product id"))
    order_id = models.BigIntegerField(_("order id"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    origin = models.CharField(_("origin"), max_length=12, choices=Origin.choices, default=Origin.CLIENT)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("impact event")
        verbose_name_plural = _("impact events")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer_id", "event_id"], name="ecom_ai_impact_event_once"),
            models.UniqueConstraint(fields=["customer_id", "order_id", "product_id"],
                                    condition=models.Q(kind="order", order_id__isnull=False),
                                    name="ecom_ai_impact_order_line_once"),
        ]
        indexes = [
            models.Index(fields=["source", "occurred_at"], name="ecom_ai_impact_src_time"),
            models.Index(fields=["customer_id", "product_id", "occurred_at"], name="ecom_ai_impact_cust_prod"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.product_id} ({self.customer_id})"


class Experiment(models.Model):
    """An A/B test: customers split between arms by a stable hash of their id.

    ``arms`` is a list of ``{"name", "serves", "share"}``: ``serves`` is a recommender model version
    (kind ``recommender``) or a campaign copy id (kind ``copy``); the shares add up to 1. The first arm
    is the control every other arm is compared with.
    """

    class Kind(models.TextChoices):
        RECOMMENDER = "recommender", _("Recommender versions")
        COPY = "copy", _("Copy variants")

    class Metric(models.TextChoices):
        CLICK = "click", _("Click-through (customers who clicked, of those shown)")
        ORDER = "order", _("Conversion (customers who ordered, of those shown)")

    name = models.SlugField(_("name"), max_length=64, unique=True,
                            help_text=_("Part of the hash that assigns customers: renaming reshuffles them."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    metric = models.CharField(_("metric"), max_length=8, choices=Metric.choices, default=Metric.CLICK)
    arms = models.JSONField(_("arms"), default=list,
                            help_text=_('A list of {"name", "serves", "share"}; shares add up to 1. The first arm is the control.'))
    min_per_arm = models.PositiveIntegerField(_("minimum customers per arm"), default=default_min_per_arm,
                                              validators=[MinValueValidator(2), MaxValueValidator(10_000_000)])
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("A/B experiment")
        verbose_name_plural = _("A/B experiments")
        ordering = ["-starts_at", "-id"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = arm_errors(self.kind, self.arms)
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            errors.append(_("The end must come after the start."))
        if errors:
            raise ValidationError(errors)


class ImpactReport(ImpactEvent):
    """The admin's "Impact" page (a proxy: no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("impact")
        verbose_name_plural = _("impact")
