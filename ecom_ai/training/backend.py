"""A TransformersBackend whose model is a trained artefact: ``OPTIONS = {"model": "artifact:replies"}``.

The active version is looked up on every batch, so activating another run (admin "Make active") switches
the model in every worker without a restart; weights are loaded once per version per process.
"""
from __future__ import annotations

from ecom_ai.llm.base import BackendConfigError
from ecom_ai.llm.transformers import TransformersBackend

PREFIX = "artifact:"


def _name(model: str) -> str | None:
    """The artefact name of ``artifact:NAME`` (default: replies); None for any other model reference."""
    if not str(model).startswith(PREFIX):
        return None
    return str(model)[len(PREFIX):].strip() or "replies"


def resolve(model: str) -> str:
    """``artifact:NAME`` → the active version's folder; any other value is returned as it is."""
    name = _name(model)
    if name is None:
        return model
    from ecom_ai.storage import artifacts

    version = artifacts.active_version(name)
    if version is None:
        raise BackendConfigError(f"No active {name!r} model: train one (ecom_ai train finetune-replies) and activate it")
    return str(artifacts.root() / name / version)


class TrainedModelBackend(TransformersBackend):
    """TransformersBackend that also accepts ``model="artifact:NAME"`` (default name: replies)."""

    def __init__(self, alias: str = "trained", model: str = "artifact:replies", **options):
        super().__init__(alias, model=model, **options)
        self.model_ref = model
        self.artifact_name = _name(model)

    @property
    def model_id(self) -> str:
        if self.artifact_name is None:
            return super().model_id
        if self.model_path == self.model_ref:      # nothing loaded yet: the version the pointer names
            from ecom_ai.storage import artifacts

            return f"{self.artifact_name}:{artifacts.active_version(self.artifact_name) or 'none'}"
        return f"{self.artifact_name}:{super().model_id}"     # the loaded version's folder

    def _load(self):
        self.model_path = resolve(self.model_ref)
        return super()._load()
