"""The recommendations pipeline: per customer, rank products (collect, ground), write the reasons in
one batched call (generate), check them against the facts (verify) and store the set (save)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ecom_ai.recommendations import services as service
from ecom_ai.jobs.pipeline import Pipeline, WorkUnit
from ecom_ai.kinds import Feature, JobKind


class RecommendationPipeline(Pipeline):
    kind = JobKind.RECOMMENDATIONS
    target_model = "adapter:customer"
    feature = Feature.RECOMMENDATION_REASON
    label = _("Compute recommendations")

    def collect(self, job, items) -> list[WorkUnit]:
        units = super().collect(job, items)
        rules = service.rules_for()  # no query or category in a job: the same rules for every customer
        for unit in units:
            unit.output["rules"] = rules
        return units

    def ground(self, job, unit: WorkUnit) -> None:
        k = job.params.get("k") or service.conf("K")
        customer = service.get_adapter().get_customer(unit.target.pk)
        unit.output["user_id"] = customer.user_id if customer else None
        lst = service.recommend(unit.target.pk, k=k, with_reasons=False, rules=unit.output["rules"])
        unit.output["list"] = lst
        unit.facts = [f for r in lst.items for f in r.facts]

    def generate(self, job, units: list[WorkUnit]) -> None:
        todo = [u for u in units if not u.error]
        for unit, summary in zip(todo, service.generate_reasons([u.output["list"] for u in todo])):
            unit.result = summary

    def verify(self, job, unit: WorkUnit) -> None:
        unit.check = service.check_reasons(unit.output["list"])

    def save(self, job, unit: WorkUnit):
        return service.save_set(unit.target.pk, unit.output["list"], job=job, user_id=unit.output["user_id"])
