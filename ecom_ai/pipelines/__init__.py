"""Pipelines, one per job kind; ``get_pipeline(kind)`` finds one through ECOM_AI["PIPELINES"]."""
from __future__ import annotations

from functools import lru_cache

from django.utils.module_loading import import_string

from .base import Pipeline, WorkUnit


class UnknownJobKind(LookupError):
    pass


def pipeline_paths() -> dict[str, str]:
    from ..conf import ecom_ai_settings

    return dict(ecom_ai_settings.PIPELINES)


@lru_cache(maxsize=None)
def _load(path: str) -> Pipeline:
    return import_string(path)()


def get_pipeline(kind: str) -> Pipeline:
    path = pipeline_paths().get(kind)
    if not path:
        raise UnknownJobKind(f"Unknown job kind {kind!r}; known: {', '.join(sorted(pipeline_paths())) or 'none'}")
    return _load(path)


__all__ = ["Pipeline", "WorkUnit", "get_pipeline", "UnknownJobKind", "pipeline_paths"]
