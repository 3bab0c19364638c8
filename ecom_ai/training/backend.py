"""A TransformersBackend whose model is a trained artefact: ``OPTIONS = {"model": "artifact:replies"}``.

The active version is looked up on every batch, so activating another run (admin "Make active") switches
the model in every worker without a restart; weights are loaded once per version per process.
"""
from __future__ import annotations

from ..llm.base import BackendConfigError
from ..llm.transformers import TransformersBackend

PREFIX = "artifact:"


def resolve(model: str) -> str:
    """``artifact:NAME`` → the active version's folder; any other value is returned as it is."""
    if not str(model).startswith(PREFIX):
        return model
    from ..services import artifacts

    name = str(model)[len(PREFIX):].strip() or "replies"
    version = artifacts.active_version(name)
    if version is None:
        raise BackendConfigError(f"No active {name!r} model: train one (ecom_ai train finetune-replies) and activate it")
    return str(artifacts.root() / name / version)


class TrainedModelBackend(TransformersBackend):
    """TransformersBackend that also accepts ``model="artifact:NAME"`` (default name: replies)."""

    def __init__(self, alias: str = "trained", model: str = "artifact:replies", **options):
        super().__init__(alias, model=model, **options)
        self.model_ref = model

    @property
    def model_id(self) -> str:
        if str(self.model_ref).startswith(PREFIX):
            from ..services import artifacts

            name = self.model_ref[len(PREFIX):] or "replies"
            return f"{name}:{artifacts.active_version(name) or 'none'}"
        return super().model_id

    def _load(self):
        self.model_path = resolve(self.model_ref)
        return super()._load()
