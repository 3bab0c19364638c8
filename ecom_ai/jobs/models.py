"""ecom_ai's models: the job engine (AIJob, AIJobItem); each feature adds its result models."""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecom_ai.kinds import job_kind_label


class AIJob(models.Model):
    """One request for AI work over a set of targets (inquiries, customers, campaigns, products)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        PARTIAL = "partial", _("Done with failures")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        BUDGET_SPENT = "budget_spent", _("Stopped: token budget spent")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="ai_jobs",
    )
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("target type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The language of whoever started the job (their admin's): the reasons, errors and check messages the
    # job writes for staff are in it. Customer-facing text keeps the customer's language.
    language = models.CharField(_("language"), max_length=16, blank=True)

    n_items = models.PositiveIntegerField(_("items"), default=0)
    n_pending = models.PositiveIntegerField(_("pending"), default=0)
    n_running = models.PositiveIntegerField(_("running"), default=0)
    n_done = models.PositiveIntegerField(_("done"), default=0)
    n_failed = models.PositiveIntegerField(_("failed"), default=0)

    tokens_in = models.PositiveBigIntegerField(_("tokens in"), default=0)
    tokens_out = models.PositiveBigIntegerField(_("tokens out"), default=0)
    latency_ms = models.FloatField(_("backend time (ms)"), default=0)
    token_budget = models.PositiveBigIntegerField(_("token budget"), null=True, blank=True)
    wall_time_s = models.FloatField(_("wall time (s)"), null=True, blank=True)
    error_summary = models.TextField(_("error summary"), blank=True)
    # Set when the job's unfinished items made no progress for ECOM_AI["STALL_TIMEOUT"] (see jobs.stalls);
    # cleared when it moves again. The status stays queued/running: a stalled job is still active.
    stalled_at = models.DateTimeField(_("stalled since"), null=True, blank=True)
    stall_reason = models.TextField(_("stall reason"), blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("AI job")
        verbose_name_plural = _("AI jobs")
        ordering = ["-created_at", "-id"]
        permissions = [("run_aijob", _("Can start, retry and cancel AI jobs"))]

    def __str__(self):
        return f"#{self.pk} {job_kind_label(self.kind)} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def is_stalled(self) -> bool:
        return self.is_active and self.stalled_at is not None

    @property
    def state(self) -> str:
        """The status, or "stalled" for an active job that stopped moving."""
        return "stalled" if self.is_stalled else self.status

    @property
    def progress(self) -> int:
        """Finished share of items, in percent."""
        if not self.n_items:
            return 100 if not self.is_active else 0
        return int(100 * (self.n_done + self.n_failed) / self.n_items)

    @property
    def tokens_used(self) -> int:
        return self.tokens_in + self.tokens_out


class AIJobItem(models.Model):
    """One target of a job. Moves pending -> running -> done | failed by conditional updates."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    job = models.ForeignKey(AIJob, verbose_name=_("job"), on_delete=models.CASCADE, related_name="items")
    target_id = models.CharField(_("target id"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Who holds a running item: "<celery task id>:<host>:<pid>:<nonce>".
    claim = models.CharField(_("claim"), max_length=200, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    result_type = models.ForeignKey(
        ContentType, verbose_name=_("result type"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result_id = models.CharField(_("result id"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    tokens_in = models.PositiveIntegerField(_("tokens in"), default=0)
    tokens_out = models.PositiveIntegerField(_("tokens out"), default=0)
    latency_ms = models.FloatField(_("backend time (ms)"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("AI job item")
        verbose_name_plural = _("AI job items")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["job", "target_id"], name="ecom_ai_item_unique_target")]
        indexes = [models.Index(fields=["job", "status"], name="ecom_ai_item_job_status")]

    def __str__(self):
        return f"{self.job_id}/{self.target_id} ({self.get_status_display()})"
