"""The feedback feature's public functions: summarise now, the latest summary, the corpora readers the
training package uses, the sentiment classifier's training and evaluation. Admin actions, API views,
the ``ecom_ai`` command and the training package call these; the steps live in ``summaries``
(counting, facts, actions, checks), ``pipeline`` (the job's steps), ``corpus``, ``sentiment``,
``evaluation`` and ``chart``.
"""
from __future__ import annotations

from ecom_ai.adapters import get_adapter
from ecom_ai.feedback.chart import trend_legend_colours, trend_svg
from ecom_ai.feedback.corpus import default_csv, labelled_rows, read_labelled_csv, shop_labelled_reviews
from ecom_ai.feedback.aspects import canonical_aspects, get_detector
from ecom_ai.feedback.evaluation import evaluate_aspects, evaluate_sentiment
from ecom_ai.feedback.pipeline import FeedbackSummaryPipeline
from ecom_ai.feedback.sentiment import active_sentiment, train_sentiment_baseline
from ecom_ai.feedback.summaries import (
    FEATURE, Analysis, FeedbackError, Prepared, analyse, build_actions, build_facts, build_request,
    category_product_ids, is_injection, latest_summary, themes_json, verify_text, weekly_trend,
)
from ecom_ai.jobs.pipeline import WorkUnit

prepare = FeedbackSummaryPipeline.prepare


def summarise(*, product_id: int | None = None, category: str | None = None, language: str = "zh", reviews=None, job=None):
    """Summarise one product or category now, in this process (shell, tests, benchmarks): the pipeline's
    ground, generate, verify and save steps on one unit."""
    from ecom_ai.conf import ecom_ai_settings

    product = None
    if product_id is not None:
        product = get_adapter().get_products([product_id]).get(int(product_id))
        if product is None:
            raise FeedbackError(f"No product {product_id}.")
    pipeline = FeedbackSummaryPipeline()
    unit = WorkUnit(item=None, target=product)
    unit.output["prepared"] = prepare(product=product, category=category, reviews=reviews, language=language)
    unit.request = unit.output["prepared"].request
    pipeline.generate(job, [unit])
    if unit.error:
        raise FeedbackError(f"The backend failed: {unit.error}")
    unit.output.setdefault("backend", (ecom_ai_settings.FEATURES or {}).get(FEATURE, "default"))
    pipeline.verify(job, unit)
    return pipeline.save(job, unit)


def builtin_aspect_words(slug: str) -> list[str]:
    """The words the built-in lexicon knows for an aspect (what names it, then what judges it)."""
    from ecom_ai.feedback import lexicon

    return list(dict.fromkeys(lexicon.TARGETS.get(slug, ()) + lexicon.PRAISE.get(slug, ()) + lexicon.BLAME.get(slug, ())))


MAX_SYNONYMS = 200
MAX_SYNONYM_CHARS = 20


def aspect_problems(slug: str, synonyms: str) -> list[str]:
    """What is wrong with a shop aspect (empty when nothing): a new aspect needs words that name it; each word
    is short text, not a sentence."""
    from django.utils.translation import gettext

    words = [w.strip() for w in synonyms.replace("，", ",").replace("\n", ",").split(",") if w.strip()]
    problems = []
    if slug and slug not in canonical_aspects() and not words:
        problems.append(gettext("A new aspect needs synonyms: the words customers use for it."))
    if len(words) > MAX_SYNONYMS:
        problems.append(gettext("At most %(n)d synonyms.") % {"n": MAX_SYNONYMS})
    long = [w for w in words if len(w) > MAX_SYNONYM_CHARS]
    if long:
        problems.append(gettext("Synonyms are words, at most %(n)d characters: %(words)s")
                        % {"n": MAX_SYNONYM_CHARS, "words": ", ".join(w[:30] for w in long[:3])})
    return problems


def detect_aspects(text: str, category: str | None = None) -> dict[str, str]:
    """The aspects one review judges, with the shop's aspects: {slug: "pos" | "neg" | "mixed"}."""
    return {slug: j.polarity for slug, j in get_detector().detect(text, category).items()}


__all__ = [
    "Analysis", "Prepared", "FeedbackError", "analyse", "prepare", "summarise", "latest_summary", "category_product_ids",
    "build_facts", "build_actions", "build_request", "verify_text", "themes_json", "weekly_trend", "trend_svg",
    "trend_legend_colours", "is_injection", "active_sentiment", "train_sentiment_baseline", "evaluate_sentiment",
    "labelled_rows", "read_labelled_csv", "shop_labelled_reviews", "default_csv", "get_adapter", "evaluate_aspects",
    "detect_aspects", "get_detector", "builtin_aspect_words", "aspect_problems", "canonical_aspects",
]


def mark_actions_done(summaries, *, user=None, now=None) -> int:
    """Record the improvement actions of ``summaries`` as done now (the Impact page compares each blamed
    aspect's share of reviews before and after that date). An action already marked done keeps its date;
    a reopened one is done again from now. Returns the number of actions marked done in this call."""
    from django.db import transaction
    from django.utils import timezone

    from ecom_ai.feedback.models import ImprovementAction

    now = now or timezone.now()
    marked = 0
    with transaction.atomic():
        for s in summaries:
            for a in s.actions or []:
                row, created = ImprovementAction.objects.select_for_update().get_or_create(
                    summary=s, aspect=a["theme"][:60], defaults={
                        "scope": s.scope, "product_id": s.product_id, "product_name": s.product_name, "category": s.category,
                        "label": (a.get("label") or "")[:60], "team": a.get("team") or "product", "text": a.get("text", ""),
                        "negative": int(a.get("negative") or 0), "of": int(a.get("of") or 0), "done_at": now,
                        "done_by": user if getattr(user, "is_authenticated", False) else None})
                if created:
                    marked += 1
                elif row.status != ImprovementAction.Status.DONE:
                    ImprovementAction.objects.filter(pk=row.pk).update(status=ImprovementAction.Status.DONE, done_at=now)
                    marked += 1
    return marked
