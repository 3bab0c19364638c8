"""Test-only pieces: a pipeline that writes one admin LogEntry per item, so duplicates would show."""
from __future__ import annotations

import time

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from ecom_ai.jobs.pipeline import Pipeline


class EchoPipeline(Pipeline):
    """Targets are users. ``params``: sleep (s per chunk), fail_ids (ids to fail), tokens (per item)."""

    kind = "echo"
    target_model = "auth.User"

    def ground(self, job, unit):
        if unit.item.target_id in {str(i) for i in job.params.get("fail_ids", [])}:
            raise ValueError("asked to fail")

    def generate(self, job, units):
        time.sleep(float(job.params.get("sleep", 0)))

        class Result:
            tokens_in = tokens_out = int(job.params.get("tokens", 0))
            latency_ms = 1.0

        for unit in units:
            unit.result = Result()

    def save(self, job, unit):
        return LogEntry.objects.create(
            user_id=unit.target.pk,
            content_type=ContentType.objects.get_for_model(get_user_model()),
            object_id=str(unit.target.pk),
            object_repr=f"echo job {job.pk}",
            action_flag=CHANGE,
            change_message=f"echo job {job.pk}",
        )
