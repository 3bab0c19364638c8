"""Public functions of the inquiries feature, the ones the API, admin, CLI and training call: create
inquiries and start drafting them, approve and send replies, train the intent baseline, seed demo
inquiries and evaluate.

Understanding the question lives in :mod:`.understanding`, the facts in :mod:`.grounding`, writing and
checking the reply in :mod:`.replies`, the offline evaluation in :mod:`.evaluation`.
"""
from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from ecom_ai.adapters import get_adapter
from ecom_ai.conf import ecom_ai_settings
from ecom_ai.inquiries import intent as intent_rules
from ecom_ai.inquiries.evaluation import evaluate
from ecom_ai.inquiries.grounding import ground_inquiry
from ecom_ai.inquiries.intent import IntentModel, load_seed, redact_cards
from ecom_ai.inquiries.intent import train as train_intent_model
from ecom_ai.inquiries.models import ApprovedReply, Inquiry, ReplyDraft
from ecom_ai.inquiries.replies import KIND, build_request, reply_request, verify_text
from ecom_ai.inquiries.understanding import analyse, find_product, intent_model
from ecom_ai.jobs.models import AIJob
from ecom_ai.llm.checks import injection_findings
from ecom_ai.llm.facts import facts_from_json
from ecom_ai.nlp.text import language_of, normalize

log = logging.getLogger(__name__)

#: sent when a reply is marked sent; a host shop connects a receiver that delivers it (e-mail, app push...)
reply_sent = Signal()  # sender=Inquiry, inquiry=..., draft=..., text=...


class InquiryError(ValueError):
    """Bad input for an inquiry (shown to the user as a 400 with this message)."""


class NoCustomer(PermissionError):
    """The user is not one of the shop's customers."""


# --------------------------------------------------------------------------- creating

def clean_text(text) -> str:
    if not isinstance(text, str):
        raise InquiryError("The question must be text.")
    text = text.replace("\x00", "").strip()
    if not normalize(text):
        raise InquiryError("The question is empty.")
    limit = int(ecom_ai_settings.MAX_INPUT_CHARS)
    if len(text) > limit:
        raise InquiryError(f"The question is too long ({len(text)} characters; at most {limit}).")
    return text


def _int_or_none(value, name):
    if value in (None, ""):
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise InquiryError(f"{name} must be a whole number.") from None
    if value <= 0:
        raise InquiryError(f"{name} must be positive.")
    return value


def create_inquiry(*, user, text, product_id=None, order_id=None, channel: str = "web", start: bool = True,
                   customer_id: int | None = None) -> Inquiry:
    """Validate, save the inquiry, then start its drafting job (``inquiry.job``).

    The inquiry is saved before the job starts, so a failure to start drafting loses nothing.
    Raises :class:`NoCustomer` when the user is not a customer and :class:`InquiryError` for bad input,
    including an order that is not this customer's.
    """
    adapter = get_adapter()
    if customer_id is None:
        customer = adapter.customer_for_user(user)
        if customer is None:
            raise NoCustomer("Only the shop's customers can ask questions here: this account has no customer profile.")
        customer_id = customer.id
    text = clean_text(text)
    product_id = _int_or_none(product_id, "product_id")
    order_id = _int_or_none(order_id, "order_id")
    if channel not in Inquiry.Channel.values:
        raise InquiryError(f"Unknown channel {channel!r}; one of: {', '.join(Inquiry.Channel.values)}.")
    if order_id is not None and adapter.get_order(customer_id, order_id) is None:
        raise InquiryError(f"Order {order_id} is not one of your orders.")
    if product_id is not None and not adapter.get_products([product_id]):
        raise InquiryError(f"There is no product {product_id}.")
    inquiry = Inquiry.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None, customer_id=customer_id, channel=channel,
        text=intent_rules.redact_cards(text), language=language_of(text), product_id=product_id, order_id=order_id,
    )
    if start:
        start_drafting(Inquiry.objects.filter(pk=inquiry.pk), user=user)
        inquiry.refresh_from_db()
    return inquiry


def start_drafting(inquiries, *, user=None, dispatch: bool = True) -> AIJob | None:
    """Start an ``inquiry_reply`` job over the inquiries and remember it on them; None if it could not start."""
    from ecom_ai.jobs.engine import JobError, start_job

    try:
        job = start_job(KIND, inquiries, user=user, dispatch=dispatch)
    except JobError as exc:  # expected (nothing to draft...): a warning, no traceback
        log.warning("ecom_ai: could not start drafting inquiries: %s", exc)
        return None
    except Exception:  # the inquiries are saved; staff can draft them from the admin
        log.exception("ecom_ai: could not start drafting inquiries")
        return None
    Inquiry.objects.filter(pk__in=[int(t) for t in job.items.values_list("target_id", flat=True)]).update(job=job)
    return job


@dataclass
class DraftRequest:
    """What "Draft AI replies" did with a selection: the job it started and what it skipped, and why."""
    job: AIJob | None
    drafting: int
    already_sent: int
    already_running: int


RUNNING_JOB = (AIJob.Status.QUEUED, AIJob.Status.RUNNING)


def draft_selected(queryset, *, user=None) -> DraftRequest:
    """Start drafting the selected inquiries that qualify; skip those already approved or sent, and those a
    running job is drafting now (not failures: nothing is wrong with them)."""
    finished = queryset.filter(status__in=[Inquiry.Status.APPROVED, Inquiry.Status.SENT])
    running = queryset.exclude(pk__in=finished.values("pk")).filter(job__status__in=RUNNING_JOB)
    eligible = queryset.exclude(pk__in=finished.values("pk")).exclude(pk__in=running.values("pk"))
    n_sent, n_running, n_eligible = finished.count(), running.count(), eligible.count()
    job = start_drafting(Inquiry.objects.filter(pk__in=eligible.values("pk")), user=user) if n_eligible else None
    return DraftRequest(job, n_eligible if job else 0, n_sent, n_running)


# --------------------------------------------------------------------------- staff actions

def approve_draft(draft: ReplyDraft, *, user, edited_text: str | None = None) -> ReplyDraft:
    """Approve (optionally edited) text; the pair is kept as training data. Re-checks edited text."""
    inquiry = draft.inquiry
    if inquiry.status == Inquiry.Status.SENT:
        raise InquiryError("This inquiry's reply was already sent.")
    with transaction.atomic():
        if edited_text is not None:
            edited = edited_text.strip()
            if not edited:
                raise InquiryError("The reply is empty.")
            if len(edited) > int(ecom_ai_settings.MAX_INPUT_CHARS):
                raise InquiryError("The reply is too long.")
            if edited != draft.text:
                draft.edited_text = edited
                facts = facts_from_json(draft.facts)
                verdict = verify_text(edited, facts)
                draft.check_ok, draft.check_reasons = verdict.ok, verdict.reasons
        draft.approved_by = user
        draft.approved_at = timezone.now()
        draft.save()
        Inquiry.objects.filter(pk=inquiry.pk).update(status=Inquiry.Status.APPROVED, updated_at=timezone.now())
        ApprovedReply.objects.create(
            inquiry=inquiry, draft=draft, question=inquiry.text, reply=draft.final_text,
            intent=inquiry.intent or draft.intent, language=inquiry.language, facts=draft.facts,
            edited=bool(draft.edited_text), approved_by=user,
        )
    inquiry.refresh_from_db()
    return draft


def _approved_draft(inquiry: Inquiry) -> ReplyDraft | None:
    """The latest approved draft (``inquiry.drafts.all()``, so a ``prefetch_related("drafts")`` is used)."""
    approved = [d for d in inquiry.drafts.all() if d.approved_at is not None]
    return max(approved, key=lambda d: (d.approved_at, d.id), default=None)


def send_reply(inquiry: Inquiry, *, user=None) -> ReplyDraft:
    """Mark the approved reply sent and signal ``reply_sent`` (the host delivers it)."""
    draft = _approved_draft(inquiry)
    if draft is None or inquiry.status not in (Inquiry.Status.APPROVED, Inquiry.Status.SENT):
        raise InquiryError("Approve a reply before sending it.")
    if inquiry.status == Inquiry.Status.SENT:
        return draft
    now = timezone.now()
    n = Inquiry.objects.filter(pk=inquiry.pk, status=Inquiry.Status.APPROVED).update(status=Inquiry.Status.SENT, sent_at=now, updated_at=now)
    inquiry.refresh_from_db()
    if n:
        transaction.on_commit(lambda: reply_sent.send(sender=Inquiry, inquiry=inquiry, draft=draft, text=draft.final_text))
    return draft


def customer_reply(inquiry: Inquiry) -> str | None:
    """The text a customer may see: the approved reply, or None while it is being prepared."""
    if inquiry.status not in (Inquiry.Status.APPROVED, Inquiry.Status.SENT):
        return None
    draft = _approved_draft(inquiry)
    return draft.final_text if draft else None


def visible_inquiries(user):
    """All inquiries for staff with the view permission, else the user's own."""
    qs = Inquiry.objects.all()
    if user.has_perm("ecom_ai.view_inquiry"):
        return qs
    return qs.filter(user=user) if user.is_authenticated else qs.none()


# --------------------------------------------------------------------------- training

def labelled_examples(csv: str | None = None) -> list[tuple[str, str]]:
    """Seed set + the shop's inquiries whose intent staff confirmed + an optional CSV (text,intent)."""
    rows = list(intent_rules.load_seed())
    rows += list(Inquiry.objects.filter(intent_labelled=True).exclude(intent="").values_list("text", "intent"))
    if csv:
        from ecom_ai.storage.datafiles import open_csv

        with open_csv(csv) as reader:
            if not reader.fieldnames or not {"text", "intent"} <= set(reader.fieldnames):
                raise ValueError("The CSV needs the columns text and intent.")
            for row in reader:
                if row["intent"] not in intent_rules.INTENTS:
                    raise ValueError(f"Unknown intent {row['intent']!r} in {csv}; one of {', '.join(intent_rules.INTENTS)}")
                if row["text"].strip():
                    rows.append((row["text"], row["intent"]))
    return rows


def train_intent_baseline(*, out=None, csv=None, activate: bool = True, **params) -> dict:
    """Train the char n-gram TF-IDF + LR intent classifier; store it as the "intent" artefact."""
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import train_test_split

    from ecom_ai.storage import artifacts

    rows = labelled_examples(csv)
    texts, labels = [r[0] for r in rows], [r[1] for r in rows]
    seed = int(params.pop("seed", 0))
    allowed = {k: params[k] for k in ("C", "ngram_max") if k in params}
    started = time.perf_counter()
    tr_x, te_x, tr_y, te_y = train_test_split(texts, labels, test_size=0.2, random_state=seed, stratify=labels)
    held_out = intent_rules.train(tr_x, tr_y, **allowed)
    pred = [p for p, _ in held_out.predict_many(te_x)]
    metrics = {"n_examples": len(rows), "n_shop_labelled": len(rows) - len(intent_rules.load_seed()),
               "accuracy": round(accuracy_score(te_y, pred), 4), "macro_f1": round(f1_score(te_y, pred, average="macro"), 4)}
    model = intent_rules.train(texts, labels, **allowed)
    metrics["train_s"] = round(time.perf_counter() - started, 3)
    version = artifacts.save("intent", model, {"metrics": metrics, "params": allowed, "kind": "intent-baseline"}, activate=activate)
    model.version = version
    metrics["version"] = version
    if out is not None:
        out.write(f"intent-baseline {version}: {len(rows)} examples, held-out accuracy {metrics['accuracy']}, macro-F1 {metrics['macro_f1']}\n")
    return metrics


# --------------------------------------------------------------------------- demo data

SEED_REPLIES = {
    "product": ("您好，这款商品的详细参数请见商品页。", "Hello, the product page lists its full specifications."),
    "logistics": ("您好，您的包裹正在路上，请留意物流信息。", "Hello, your parcel is on its way; please watch the tracking updates."),
    "after_sales": ("您好，符合售后政策的商品可在期限内申请退换。", "Hello, items covered by the policy can be returned or exchanged within the window."),
    "complaint": ("非常抱歉给您带来不便，我们会尽快处理。", "We are very sorry for the trouble and will sort it out quickly."),
    "other": ("您好，感谢您的咨询。", "Hello, thank you for your message."),
}


def seed_inquiries(rng_seed: int = 0, *, n: int = 120, pending: int = 20) -> int:
    """Labelled, handled inquiries for the demo shop (seed_demo calls this), plus a few new ones to draft.

    Texts come from the shipped seed set, asked by the shop's customers; handled ones carry a
    staff-confirmed intent and an approved, sent reply. Returns the number of inquiries created.
    """
    adapter = get_adapter()
    rng = random.Random(rng_seed)
    customers = []
    for cid in adapter.iter_customer_ids():
        customers.append(cid)
        if len(customers) >= 2000:
            break
    if not customers:
        return 0
    seed = intent_rules.load_seed()
    created = 0
    with transaction.atomic():
        for i in range(n + pending):
            text, intent = seed[rng.randrange(len(seed))]
            cid = customers[rng.randrange(len(customers))]
            info = adapter.get_customer(cid)
            handled = i < n
            inquiry = Inquiry.objects.create(
                user_id=info.user_id if info else None, customer_id=cid, text=text, language=language_of(text),
                channel=rng.choice(Inquiry.Channel.values[:4]), intent=intent if handled else "",
                intent_labelled=handled, status=Inquiry.Status.SENT if handled else Inquiry.Status.NEW,
                sent_at=timezone.now() if handled else None,
            )
            if handled:
                reply = SEED_REPLIES[intent][0 if inquiry.language == "zh" else 1]
                draft = ReplyDraft.objects.create(inquiry=inquiry, text=reply, intent=intent, backend="seed", model_id="seed",
                                                  check_ok=True, needs_review=False, confidence=1.0, approved_at=timezone.now())
                ApprovedReply.objects.create(inquiry=inquiry, draft=draft, question=text, reply=reply, intent=intent,
                                             language=inquiry.language)
            created += 1
    return created


__all__ = [
    "InquiryError", "NoCustomer", "reply_sent", "analyse", "intent_model", "create_inquiry", "start_drafting",
    "draft_selected", "DraftRequest",
    "ground_inquiry", "find_product", "build_request", "verify_text", "injection_findings", "approve_draft",
    "send_reply", "customer_reply", "visible_inquiries", "labelled_examples", "train_intent_baseline",
    "train_intent_model", "IntentModel", "reply_request", "load_seed", "redact_cards", "seed_inquiries", "evaluate", "KIND",
]
