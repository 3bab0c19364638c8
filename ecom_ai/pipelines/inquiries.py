"""The inquiry-reply pipeline: ground a customer question in the shop's facts, draft, check, save for a person."""
from __future__ import annotations

from ..services import inquiries as service
from .base import Pipeline


class InquiryReplyPipeline(Pipeline):
    """collect (the inquiries) → ground (facts, intent, hand-over) → generate → verify → save (a ReplyDraft)."""

    kind = "inquiry_reply"
    target_model = "ecom_ai.Inquiry"
    feature = "inquiry_reply"
    label = "Draft inquiry replies"

    def ground(self, job, unit):
        service.prepare_unit(job, unit)

    def verify(self, job, unit):
        service.verify_unit(job, unit)

    def save(self, job, unit):
        return service.save_unit(job, unit)
