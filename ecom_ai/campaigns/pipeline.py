"""Campaign pipelines: "Suggest rules" (campaign_rules) and "Generate copy" (campaign_copy), step by step over the services."""
from __future__ import annotations

from dataclasses import dataclass

from ecom_ai.campaigns import services as svc
from ecom_ai.jobs.pipeline import Pipeline, WorkUnit
from ecom_ai.kinds import Feature, JobKind


def _chunk_products(units: list[WorkUnit]) -> dict:
    """ProductInfo by id for every product of the chunk's campaigns, in one adapter call."""
    ids: dict[int, None] = {}
    for unit in units:
        if unit.error:
            continue
        try:
            ids.update(dict.fromkeys(svc.normalize_product_ids(unit.target.product_ids)))
        except ValueError:  # validation reports it for that campaign
            continue
    return svc.load_products(ids)


def _share(units: list[WorkUnit], limits: dict, **extra) -> None:
    """One chunk-wide context for every unit: the limits, the banned terms (every language: each
    copy is checked against all) and what the pipeline adds."""
    context = {"limits": limits, "banned": svc.banned_terms(limits=limits), **extra}
    for unit in units:
        unit.output["context"] = context


@dataclass
class _BatchResult:
    """The sum of one campaign's generation results, for the job's token and latency accounting."""

    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    finish_reason: str = "stop"


class CampaignRulesPipeline(Pipeline):
    """Propose products and numbers for each campaign from the shop's data, within its limits and its theme."""

    kind = JobKind.CAMPAIGN_RULES
    target_model = "ecom_ai.Campaign"
    feature = None
    label = "Suggest campaign rules"

    def collect(self, job, items) -> list[WorkUnit]:
        units = super().collect(job, items)
        if any(not u.error for u in units):
            limits = svc.get_limits()
            keep = job.params.get("keep_products", True)
            _share(units, limits, signals=svc.shop_signals(window_days=job.params.get("window_days"), limits=limits),
                   products=_chunk_products(units) if keep else {})  # the kept products, looked up at once
        return units

    def ground(self, job, unit: WorkUnit) -> None:
        """The products the suggestion is about: kept ones, or those that fit the campaign's theme."""
        refused = svc.published_error(unit.target)
        if refused:
            unit.error = refused
            return
        ctx = unit.output["context"]
        try:
            unit.output["candidates"] = svc.candidates(
                unit.target, ctx["signals"], limits=ctx["limits"], keep_products=job.params.get("keep_products", True),
                products=ctx["products"], terms=ctx["banned"])
        except svc.CampaignError as exc:
            unit.error = str(exc)[:1000]

    def generate(self, job, units: list[WorkUnit]) -> None:
        """The numbers, by rule from the shop's data (no model)."""
        for unit in units:
            if unit.error:
                continue
            ctx = unit.output["context"]
            try:
                unit.output["proposal"] = svc.propose(unit.target, unit.output["candidates"], ctx["signals"],
                                                      limits=ctx["limits"])
            except svc.CampaignError as exc:
                unit.error = str(exc)[:1000]

    def verify(self, job, unit: WorkUnit) -> None:
        """The campaign as the proposal would make it passes the full validation; a published one is left alone."""
        refused = svc.published_error(unit.target)
        if refused:
            unit.error = refused
            return
        errors = svc.proposal_problems(unit.target, unit.output["proposal"], terms=unit.output["context"]["banned"])
        if errors:
            unit.error = svc.flat_errors(errors)[:1000]

    def save(self, job, unit: WorkUnit):
        return svc.apply_suggestion(unit.target, unit.output["proposal"], terms=unit.output["context"]["banned"])


class CampaignCopyPipeline(Pipeline):
    """Copy variants per channel and language whose numbers equal the rule; failures go to review."""

    kind = JobKind.CAMPAIGN_COPY
    target_model = "ecom_ai.Campaign"
    feature = Feature.PROMO_COPY
    label = "Generate campaign copy"

    def collect(self, job, items) -> list[WorkUnit]:
        units = super().collect(job, items)
        if any(not u.error for u in units):
            _share(units, svc.get_limits(), names=svc.catalogue_names(), products=_chunk_products(units))
        return units

    def ground(self, job, unit: WorkUnit) -> None:
        """The campaign normalised and validated as complete; its rule as facts; one request per variant."""
        ctx = unit.output["context"]
        try:
            unit.facts, unit.output["requests"] = svc.prepare_copy(unit.target, params=job.params, limits=ctx["limits"],
                                                                   products=ctx["products"], terms=ctx["banned"])
        except svc.CampaignError as exc:
            unit.error = str(exc)[:1000]

    def generate(self, job, units: list[WorkUnit]) -> None:
        from ecom_ai.llm.registry import backend_for

        todo = [u for u in units if not u.error and u.output.get("requests")]
        flat = [r for u in todo for r in u.output["requests"]]
        if not flat:
            return
        backend = backend_for(self.feature)
        results = svc.generate_distinct(backend, flat)
        i = 0
        for unit in todo:
            n = len(unit.output["requests"])
            mine = results[i:i + n]
            i += n
            unit.output["results"], unit.output["backend"] = mine, backend.alias
            unit.result = _BatchResult(sum(r.tokens_in or 0 for r in mine), sum(r.tokens_out or 0 for r in mine),
                                       sum(r.latency_ms or 0.0 for r in mine))
            if all(r.finish_reason == "error" for r in mine):
                unit.error = "generate: " + (mine[0].error or "backend error")[:900]

    def verify(self, job, unit: WorkUnit) -> None:
        """Every draft checked against the rule's facts and the shop's limits (a failed one goes to review)."""
        ctx = unit.output["context"]
        unit.output["drafts"] = svc.check_results(unit.output["requests"], unit.output["results"], unit.facts,
                                                  limits=ctx["limits"], catalogue_names=ctx["names"],
                                                  banned=ctx["banned"])

    def save(self, job, unit: WorkUnit):
        """The drafts replace the campaign's unchosen copies; the campaign's normalised products are stored."""
        svc.save_copies(unit.target, unit.output["drafts"], unit.facts, job=job, backend=unit.output.get("backend", ""))
        return unit.target
