"""The feedback pipeline: collect a product's reviews → analyse and ground → generate → check → save a FeedbackSummary."""
from __future__ import annotations

from collections import defaultdict

from ..adapters import get_adapter
from ..conf import ecom_ai_settings
from ..services import feedback as service
from .base import Pipeline, WorkUnit


class FeedbackSummaryPipeline(Pipeline):
    """Targets are the shop's products. ``params``: ``language`` ("zh" | "en"), ``scope``
    ("product", or "category" to summarise each selected product's whole category)."""

    kind = "feedback_summary"
    target_model = "adapter:product"
    feature = "feedback_summary"
    label = "Summarise feedback"

    def collect(self, job, items) -> list[WorkUnit]:
        units = super().collect(job, items)
        ids = [int(u.target.pk) for u in units if not u.error]
        adapter = get_adapter()
        products = adapter.get_products(ids)
        reviews = defaultdict(list)
        if job.params.get("scope") != "category":
            for review in adapter.get_reviews(ids):  # one read for the whole chunk
                reviews[review.product_id].append(review)
        for unit in units:
            if unit.error:
                continue
            pid = int(unit.target.pk)
            unit.output["product"] = products.get(pid)
            unit.output["reviews"] = reviews.get(pid, [])
            if unit.output["product"] is None:
                unit.error = "the shop adapter does not know this product"
        return units

    def ground(self, job, unit: WorkUnit) -> None:
        language = job.params.get("language", "zh")
        product = unit.output["product"]
        if job.params.get("scope") == "category":
            prepared = service.prepare(product=product, category=product.category, language=language)
        else:
            prepared = service.prepare(product=product, reviews=unit.output["reviews"], language=language)
        unit.output["prepared"] = prepared
        unit.facts = prepared.facts
        unit.request = prepared.request  # None when there is nothing to summarise

    def verify(self, job, unit: WorkUnit) -> None:
        text, check = service.finish(unit.output["prepared"], unit.result)
        unit.output["text"] = text
        unit.check = check

    def save(self, job, unit: WorkUnit):
        backend = (ecom_ai_settings.FEATURES or {}).get(self.feature, "default")
        return service.save_summary(unit.output["prepared"], unit.output["text"], unit.check, unit.result,
                                    job=job, backend=backend)
