"""The inquiry-reply pipeline: ground a customer question in the shop's facts, draft, check, save for a person."""
from __future__ import annotations

import logging

from ecom_ai.inquiries import services as service
from ecom_ai.jobs.pipeline import Pipeline, WorkUnit
from ecom_ai.kinds import Feature, JobKind

log = logging.getLogger(__name__)


class InquiryReplyPipeline(Pipeline):
    """collect (the inquiries) → ground (facts, intent, hand-over) → generate → verify → save (a ReplyDraft)."""

    kind = JobKind.INQUIRY_REPLY
    target_model = "ecom_ai.Inquiry"
    feature = Feature.INQUIRY_REPLY
    label = "Draft inquiry replies"

    def collect(self, job, items) -> list[WorkUnit]:
        """The inquiries, each with the catalogue index (searched in ground) and its names (checked in verify),
        fetched once for the chunk. If the index cannot be had now, each step falls back to fetching its own."""
        units = super().collect(job, items)
        if any(not u.error for u in units):
            from ecom_ai.nlp.search import shop_index

            try:
                index = shop_index()
            except Exception:  # ground and verify try again (and handle a failure) one inquiry at a time
                log.exception("ecom_ai: cannot load the catalogue index for a chunk of inquiries")
            else:
                for unit in units:
                    unit.output.update(index=index, names=index.names)
        return units

    def ground(self, job, unit):
        service.prepare_unit(job, unit)

    def verify(self, job, unit):
        service.verify_unit(job, unit)

    def save(self, job, unit):
        return service.save_unit(job, unit)
