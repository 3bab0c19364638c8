"""The inquiry-reply pipeline: ground a customer question in the shop's facts, draft, check, save for a person."""
from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext

from ecom_ai.inquiries.grounding import REASONS, Grounding, ground_inquiry
from ecom_ai.inquiries.models import Inquiry, ReplyDraft
from ecom_ai.inquiries.replies import Verdict, build_request, verify_text
from ecom_ai.jobs.pipeline import Pipeline, WorkUnit
from ecom_ai.kinds import Feature, JobKind
from ecom_ai.llm.facts import facts_to_json

log = logging.getLogger(__name__)

FINISHED = (Inquiry.Status.APPROVED, Inquiry.Status.SENT)


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

    def ground(self, job, unit) -> None:
        """Refuse finished inquiries, gather the facts and hand-over reasons, build the backend request."""
        inquiry = unit.target
        if inquiry.status in FINISHED:  # an expected condition: a warning, no traceback
            log.warning("ecom_ai: inquiry %s is already %s; its reply is not redrafted", inquiry.pk, inquiry.status)
            unit.error = gettext("Inquiry %(id)s is already “%(status)s”; its reply is not drafted again.") % {
                "id": inquiry.pk, "status": inquiry.get_status_display()}
            return
        g = ground_inquiry(inquiry, index=unit.output.get("index"))
        unit.output["grounding"] = g
        unit.facts = g.facts
        unit.request = build_request(g)

    def verify(self, job, unit) -> None:
        """The draft against the facts it was given (numbers, names, injection signs, the writing check)."""
        unit.check = verify_text(unit.result.text, unit.request.facts, unit.output.get("names"),
                                 language=unit.request.language)

    def save(self, job, unit) -> ReplyDraft:
        """Write the draft and move the inquiry to drafted or handed_over (with the reason)."""
        g: Grounding = unit.output["grounding"]
        inquiry: Inquiry = unit.target
        verdict: Verdict = unit.check
        handover = list(g.handover)
        if not g.answered and not handover:
            handover.append(str(REASONS["no_answer"]))
        confidence = round(g.confidence * (1.0 if g.answered else 0.5) * (1.0 if verdict.ok else 0.3), 3)
        draft = ReplyDraft.objects.create(
            inquiry=inquiry, job=job, text=unit.result.text, intent=g.intent,
            facts=facts_to_json(unit.request.facts),
            answer_keys=list(g.answer_keys), backend=unit.output.get("backend", ""), model_id=unit.result.model_id or "",
            check_ok=verdict.ok, check_reasons=verdict.reasons, needs_review=not verdict.ok or bool(handover),
            handover=bool(handover), handover_reason="\n".join(handover), confidence=confidence,
            tokens_in=unit.tokens_in, tokens_out=unit.tokens_out,
        )
        changes = {"job": job, "intent": inquiry.intent if inquiry.intent_labelled else g.intent,
                   "intent_confidence": g.confidence, "updated_at": timezone.now()}
        if handover:
            changes.update(status=Inquiry.Status.HANDED_OVER, handover_reason="\n".join(handover))
        else:
            changes.update(status=Inquiry.Status.DRAFTED, handover_reason="")
        # never move an inquiry back once a person approved or sent it meanwhile
        Inquiry.objects.filter(pk=inquiry.pk).exclude(status__in=FINISHED).update(**changes)
        return draft
