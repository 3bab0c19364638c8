"""The feedback pipeline: collect a product's reviews → analyse and ground → generate → check → save a FeedbackSummary."""
from __future__ import annotations

from collections import defaultdict

from ecom_ai.adapters import get_adapter
from ecom_ai.feedback import services as service
from ecom_ai.jobs.pipeline import Pipeline, WorkUnit
from ecom_ai.kinds import Feature, JobKind


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
        language = job.params.get("language", "zh")
        product = unit.output["product"]
        category = product.category if _by_category(job) else None
        prepared = service.prepare(product=product, category=category, reviews=unit.output["reviews"], language=language)
        unit.output["prepared"] = prepared
        unit.facts = prepared.facts
        unit.request = prepared.request  # None when there is nothing to summarise

    def verify(self, job, unit: WorkUnit) -> None:
        text, check = service.finish(unit.output["prepared"], unit.result)
        unit.output["text"] = text
        unit.check = check

    def save(self, job, unit: WorkUnit):
        return service.save_summary(unit.output["prepared"], unit.output["text"], unit.check, unit.result,
                                    job=job, backend=unit.output.get("backend", ""))


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
