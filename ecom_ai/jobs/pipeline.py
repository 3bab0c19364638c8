"""The shape every pipeline shares: collect -> ground -> generate -> verify -> save.

The job engine (``ecom_ai.jobs.engine``) claims a chunk of items and hands it to a pipeline:

* ``collect(job, items)`` loads the targets, one :class:`WorkUnit` per item (a missing target is
  an item error, not a crash);
* ``ground(job, unit)`` attaches typed facts and builds the generation request;
* ``generate(job, units)`` runs one batched backend call over the chunk;
* ``verify(job, unit)`` checks the output against the facts;
* ``save(job, unit)`` writes the result row and returns it. The engine calls it inside a
  transaction that also marks the item done, so a result is written once or not at all.

A step that fails for one unit sets ``unit.error``; the engine fails that item with the reason and
goes on with the others.
"""
from __future__ import annotations

from functools import lru_cache

from django.utils.module_loading import import_string

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models


@dataclass
class WorkUnit:
    item: Any                      # AIJobItem
    target: Any = None             # the target model instance
    facts: list = field(default_factory=list)
    request: Any = None            # GenerationRequest or None when nothing is generated
    result: Any = None             # GenerationResult
    output: dict = field(default_factory=dict)
    check: Any = None              # CheckResult or None
    error: str = ""

    @property
    def tokens_in(self) -> int:
        return getattr(self.result, "tokens_in", 0) or 0

    @property
    def tokens_out(self) -> int:
        return getattr(self.result, "tokens_out", 0) or 0

    @property
    def latency_ms(self) -> float:
        return getattr(self.result, "latency_ms", 0.0) or 0.0


class Pipeline:
    """Base class. Subclasses set ``kind`` and ``target_model`` and implement the steps."""

    kind: str = ""
    #: "app_label.ModelName" of the targets, or "adapter:product" / "adapter:customer" for the
    #: host shop's own model as its adapter names it
    target_model: str | None = None
    #: ECOM_AI["FEATURES"] key whose backend ``generate`` uses
    feature: str | None = None
    label: str = ""

    def get_target_model(self) -> type[models.Model] | None:
        if not self.target_model:
            return None
        if self.target_model.startswith("adapter:"):
            from ecom_ai.adapters import get_adapter

            return apps.get_model(getattr(get_adapter(), f"{self.target_model[8:]}_model"))
        return apps.get_model(self.target_model)

    def collect(self, job, items) -> list[WorkUnit]:
        model = self.get_target_model() or job.target_type.model_class()
        by_pk = model._default_manager.in_bulk([item.target_id for item in items])
        by_str = {str(pk): obj for pk, obj in by_pk.items()}
        units = []
        for item in items:
            target = by_str.get(item.target_id)
            units.append(WorkUnit(item=item, target=target, error="" if target else "target no longer exists"))
        return units

    def ground(self, job, unit: WorkUnit) -> None:
        """Attach facts and build ``unit.request``."""

    def generate(self, job, units: list[WorkUnit]) -> None:
        """One batched backend call for every unit that has a request."""
        from ecom_ai.llm.registry import backend_for

        todo = [u for u in units if u.request is not None and not u.error]
        if not todo:
            return
        backend = backend_for(self.feature)
        results = backend.generate([u.request for u in todo])
        for unit, result in zip(todo, results):
            unit.result = result
            unit.output["backend"] = backend.alias  # which configured backend wrote it
            if result.finish_reason == "error":
                unit.error = result.error or "backend error"

    def verify(self, job, unit: WorkUnit) -> None:
        """Check ``unit.result`` against ``unit.facts``; set ``unit.check``."""

    def save(self, job, unit: WorkUnit):
        """Write and return the result row (or None when the item has no row of its own)."""
        raise NotImplementedError



class UnknownJobKind(LookupError):
    pass


def pipeline_paths() -> dict[str, str]:
    from ecom_ai.conf import ecom_ai_settings

    return dict(ecom_ai_settings.PIPELINES)


@lru_cache(maxsize=None)
def _load(path: str) -> Pipeline:
    return import_string(path)()


def get_pipeline(kind: str) -> Pipeline:
    path = pipeline_paths().get(kind)
    if not path:
        raise UnknownJobKind(f"Unknown job kind {kind!r}; known: {', '.join(sorted(pipeline_paths())) or 'none'}")
    return _load(path)


