"""The feedback pipeline: collect a product's reviews → analyse and ground → generate → verify → save a FeedbackSummary."""
from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from ecom_ai.adapters import ProductInfo, ReviewInfo, get_adapter
from ecom_ai.feedback import summaries
from ecom_ai.feedback.summaries import FeedbackError, Prepared
from ecom_ai.jobs.pipeline import Pipeline, WorkUnit
from ecom_ai.kinds import Feature, JobKind
from ecom_ai.llm.checks import CheckResult
from ecom_ai.llm.facts import facts_to_json


class FeedbackSummaryPipeline(Pipeline):
    """Targets are the shop's products. ``params``: ``language`` ("zh" | "en"), ``scope``
    ("product", or "category" to summarise each selected product's whole category)."""

    kind = JobKind.FEEDBACK_SUMMARY
    target_model = "adapter:product"
    feature = Feature.FEEDBACK_SUMMARY
    label = "Summarise feedback"

    def collect(self, job, items) -> list[WorkUnit]:
        units = super().collect(job, items)
        ids = [int(u.target.pk) for u in units if not u.error]
        adapter = get_adapter()
        products = adapter.get_products(ids)
        # category scope: each product's whole category (one catalogue pass, one read per category);
        # otherwise, and for a product without a category, its own reviews (one read for the chunk)
        category_of = {pid: p.category for pid, p in products.items() if p.category} if _by_category(job) else {}
        category_reviews = _category_reviews(adapter, set(category_of.values()))
        own = [pid for pid in ids if pid not in category_of]
        reviews = defaultdict(list)
        if own:
            for review in adapter.get_reviews(own):
                reviews[review.product_id].append(review)
        for unit in units:
            if unit.error:
                continue
            pid = int(unit.target.pk)
            unit.output["product"] = products.get(pid)
            if unit.output["product"] is None:
                unit.error = "the shop adapter does not know this product"
                continue
            unit.output["reviews"] = category_reviews[category_of[pid]] if pid in category_of else reviews.get(pid, [])
        return units

    def ground(self, job, unit: WorkUnit) -> None:
        """Count the reviews and build the facts, the actions and the request (None when there is nothing to say)."""
        product = unit.output["product"]
        category = product.category if _by_category(job) else None
        prepared = self.prepare(product=product, category=category, reviews=unit.output["reviews"],
                                language=job.params.get("language", "zh"))
        unit.output["prepared"] = prepared
        unit.facts = prepared.facts
        unit.request = prepared.request

    @staticmethod
    def prepare(*, product: ProductInfo | None = None, category: str | None = None,
                reviews: Sequence[ReviewInfo] | None = None, language: str = "zh", classifier="active") -> Prepared:
        """Analyse the reviews of a product (or a category) and build facts, actions and the request."""
        language = "en" if language == "en" else "zh"
        if product is None and not category:
            raise FeedbackError("Give a product or a category to summarise.")
        if reviews is None:
            ids = [product.id] if product is not None and not category else summaries.category_product_ids(category)
            reviews = list(get_adapter().get_reviews(ids)) if ids else []
        scope = "category" if category else "product"
        source = f"product:{product.id}" if scope == "product" else f"category:{category}"
        name = product.name if scope == "product" else category
        brand = str((product.attributes or {}).get("brand", "")) if product is not None else ""
        a = summaries.analyse(reviews, classifier=classifier, category=category or (product.category if product else None),
                              about=" ".join(x for x in (name, brand, product.category if product else "") if x))
        themes = summaries.themes_json(a)
        actions = summaries.build_actions(a, themes, language)
        facts = summaries.build_facts(a, themes, source=source, name=name, language=language, actions=actions)
        request = summaries.build_request(a, facts, themes, language=language) if a.distinct_count else None
        return Prepared(scope=scope, language=language, analysis=a, themes=themes, facts=facts, actions=actions,
                        request=request, product_id=product.id if scope == "product" else None,
                        product_name=name if scope == "product" else "",
                        category=category or (product.category if product else ""))

    def verify(self, job, unit: WorkUnit) -> None:
        """The final paragraph (the generated text + rule-written notes) and its check against the facts."""
        p: Prepared = unit.output["prepared"]
        if p.request is None:
            unit.output["text"] = summaries.empty_text(p.language) + summaries.notes(p.analysis, p.language)
            unit.check = CheckResult(ok=True)
            return
        generated = (unit.result.text if unit.result is not None else "").strip()
        unit.output["text"] = generated + summaries.notes(p.analysis, p.language)
        unit.check = summaries.verify_text(generated, p.facts, p.analysis, p.actions)

    def save(self, job, unit: WorkUnit):
        """Write the FeedbackSummary: good when the check passed, else needs review with the reasons."""
        from ecom_ai.feedback.models import FeedbackSummary

        p: Prepared = unit.output["prepared"]
        a, check, result = p.analysis, unit.check, unit.result
        return FeedbackSummary.objects.create(
            scope=p.scope, product_id=p.product_id, product_name=p.product_name[:200], category=p.category[:100],
            language=p.language, status=FeedbackSummary.Status.GOOD if check.ok else FeedbackSummary.Status.NEEDS_REVIEW,
            review_count=a.review_count, distinct_count=a.distinct_count, duplicate_count=a.duplicate_count,
            flagged_count=len(a.flagged_ids), positive_count=a.positive_count, negative_count=a.negative_count,
            neutral_count=a.neutral_count, sentiment_source=a.sentiment_source[:100], themes=p.themes, trend=a.trend,
            flagged_review_ids=a.flagged_ids, text=unit.output["text"], actions=p.actions, check_ok=check.ok,
            check_reasons=list(check.reasons), facts=facts_to_json(p.facts),
            backend=(unit.output.get("backend") or "")[:100], model_id=(getattr(result, "model_id", "") or "")[:200],
            tokens_in=unit.tokens_in, tokens_out=unit.tokens_out, job=job,
        )


def _by_category(job) -> bool:
    return job.params.get("scope") == "category"


def _category_reviews(adapter, categories: set[str]) -> dict[str, list]:
    """Every review of each category's products, the catalogue read once."""
    if not categories:
        return {}
    ids = defaultdict(list)
    for p in adapter.iter_products():
        if p.category in categories:
            ids[p.category].append(p.id)
    return {c: list(adapter.get_reviews(ids[c])) if ids[c] else [] for c in categories}
