"""Models of the training feature: tracked runs (tokenizer, pre-training, fine-tuning, the scikit-learn baselines,
the recommender) with their loss curves and metrics."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingRun(models.Model):
    """One training run: what was asked, how it went step by step, what it produced."""

    class Kind(models.TextChoices):
        TOKENIZER = "tokenizer", _("Tokenizer")
        PRETRAIN = "pretrain", _("Pre-training")
        FINETUNE_CLASSIFIER = "finetune-classifier", _("Fine-tune a classifier")
        FINETUNE_REPLIES = "finetune-replies", _("Fine-tune the reply model")
        SENTIMENT_BASELINE = "sentiment-baseline", _("Sentiment baseline")
        INTENT_BASELINE = "intent-baseline", _("Intent baseline")
        RECOMMENDER = "recommender", _("Recommender")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, db_index=True)
    task = models.CharField(_("task"), max_length=24, blank=True,
                            help_text=_("sentiment / intent for classifiers, causal / masked for pre-training."))
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    csv = models.CharField(_("extra data file"), max_length=500, blank=True)
    activate_when_done = models.BooleanField(_("activate when done"), default=True)
    data_size = models.PositiveIntegerField(_("data size"), default=0,
                                            help_text=_("Texts or examples the run trained and evaluated on."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    loss_history = models.JSONField(_("loss by step"), default=list, blank=True,
                                    help_text=_("[{step, train_loss, eval_loss}]"))
    metrics = models.JSONField(_("final metrics"), default=dict, blank=True)
    duration_s = models.FloatField(_("duration (s)"), null=True, blank=True)
    artifact_name = models.CharField(_("artefact"), max_length=64, blank=True)
    artifact_version = models.CharField(_("artefact version"), max_length=64, blank=True)
    artifact_path = models.CharField(_("artefact path"), max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    job = models.ForeignKey("ecom_ai.AIJob", models.SET_NULL, null=True, blank=True, related_name="+",
                            verbose_name=_("job"))
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True,
                                        help_text=_("Written as a running run makes progress; a run silent for long "
                                                    "lost its worker and is marked failed by the recovery task."))

    class Meta:
        verbose_name = _("training run")
        verbose_name_plural = _("training runs")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        label = f"{self.get_kind_display()}" + (f" ({self.task})" if self.task else "")
        return f"#{self.pk} {label}"

    @property
    def is_active(self) -> bool:
        """Whether this run's model is the one its artefact serves now (read from the artefact's pointer,
        which training, the admin, feedback and inquiries all move)."""
        from ecom_ai.storage import artifacts

        return bool(self.artifact_version) and artifacts.active_version(self.artifact_name) == self.artifact_version


__all__ = ["TrainingRun"]
