"""What every trainer does around its own training: one preparation step (:func:`prepare`: read the corpus,
sample and check it, split it, pick the tokenizer, seed and pick the device) and one way to store what it
made (:func:`save_model`, :func:`finish_artifact`)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from django.utils.translation import gettext

from ecom_ai.storage import artifacts
from ecom_ai.training import corpus
from ecom_ai.training.trainers.options import TrainingError

#: the artefact a pre-trained language model is stored under, by its kind
LM_ARTIFACT = {"causal": "lm-causal", "masked": "lm-masked"}


def active_path(name: str) -> Path | None:
    """The active version's folder of a folder artefact (``tokenizer``, ``lm-causal``, ``replies``...)."""
    version = artifacts.active_version(name)
    return artifacts.root() / name / version if version else None


def run_dir(run) -> Path:
    """Where a run keeps its checkpoints (not an artefact: nothing loads from here but a resume)."""
    return artifacts.root() / "_runs" / str(run.pk)


def load_tokenizer(path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path), local_files_only=True)


def quiet_transformers() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()       # the run's own progress bar is the one to read


def model_folder(value: str, what: str = "base") -> Path:
    """A local model folder a parameter names; a clear error when it is none."""
    path = Path(value)
    if not path.is_dir():
        raise TrainingError(gettext("%(name)s=%(value)r is not a model folder") % {"name": what, "value": value})
    return path


@dataclass
class Prepared:
    """A trainer's data, split, with its tokenizer and device."""

    items: list                      # texts; for reply fine-tuning, question/reply pairs
    labels: list | None
    sources: dict
    train_idx: list[int]
    test_idx: list[int]
    device: str = "cpu"
    tokenizer: object = None
    tokenizer_source: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def train_items(self) -> list:
        return [self.items[i] for i in self.train_idx]

    @property
    def test_items(self) -> list:
        return [self.items[i] for i in self.test_idx]

    @property
    def train_labels(self) -> list:
        return [self.labels[i] for i in self.train_idx]

    @property
    def test_labels(self) -> list:
        return [self.labels[i] for i in self.test_idx]


def prepare(o, reporter, read: Callable[[], tuple[list, list | None, dict]], *, test_size: float,
            at_least: int, too_few: str, too_few_args: dict | None = None, stratify: bool = False, sample: int = 0,
            tokenizer=None, torch: bool = True) -> Prepared:
    """The one preparation step of every trainer.

    ``read()`` returns (items, labels or None, sources); ``sample`` keeps a stratified sample of that many;
    fewer than ``at_least`` items (or a single label) raises ``too_few`` (formatted with ``n``, ``labels``
    and ``too_few_args``); the held-out part is ``test_size`` (stratified by label with ``stratify``);
    ``tokenizer`` is None (none needed), ``"shop"`` (the active shop tokenizer, or one trained now on the training part) or a
    ``(path, source)`` pair; ``torch``: quiet transformers, seed everything, pick the device.
    """
    from ecom_ai.training import loop

    device = "cpu"
    if torch:
        from ecom_ai.llm.transformers import resolve_device

        quiet_transformers()
        device = resolve_device(o.device)
        loop.seed_everything(o.seed)
    items, labels, sources = read()
    if sample and len(items) > sample:           # CPU-friendly default: a stratified sample
        keep, _rest = corpus.split(len(items), 1 - sample / len(items), o.seed, labels)
        items = [items[i] for i in keep]
        labels = [labels[i] for i in keep] if labels is not None else None
        sources["sampled"] = len(items)
    if len(items) < at_least or (labels is not None and len(set(labels)) < 2):
        raise TrainingError(too_few % {"n": len(items), "labels": sorted(set(labels or ()), key=str),
                                       **(too_few_args or {})})
    reporter.data(len(items))
    train_idx, test_idx = corpus.split(len(items), test_size, o.seed, labels if stratify else None)
    prepared = Prepared(items, labels, sources, train_idx, test_idx, device=device)
    if tokenizer == "shop":
        prepared.tokenizer, prepared.tokenizer_source = shop_tokenizer(prepared.train_items, reporter)
    elif tokenizer is not None:
        path, prepared.tokenizer_source = tokenizer
        prepared.tokenizer = load_tokenizer(path)
    return prepared


def shop_tokenizer(texts: list[str], reporter, vocab_size: int = 8000):
    """The active shop tokenizer; or, when none was trained yet, one trained now on ``texts``."""
    from ecom_ai.training import tokenizer as tok_lib

    path = active_path("tokenizer")
    if path is not None:
        return load_tokenizer(path), f"tokenizer:{path.name}"
    reporter.write("no active tokenizer: training one on this run's text")
    return tok_lib.train(texts, vocab_size=vocab_size), "inline"


def schedule(settings, n_train: int, *, steps: int | None, epochs: float | None, clamp_eval: bool = True) -> None:
    """Set ``settings.steps`` from ``steps`` or from passes (``epochs``) over ``n_train`` examples."""
    if steps:
        settings.steps = steps
    elif epochs:
        settings.steps = max(1, math.ceil(n_train / settings.batch_size * epochs))
    if clamp_eval:
        settings.eval_every = max(1, min(settings.eval_every, settings.steps // 5 or 1))


def finish_artifact(run, name: str, version: str, path: Path, *, activate: bool) -> None:
    """Record the artefact version on the run (and make it active when asked)."""
    run.artifact_name, run.artifact_version, run.artifact_path = name, version, str(path)
    run.save(update_fields=["artifact_name", "artifact_version", "artifact_path"])
    if activate:
        artifacts.set_active(name, version)


def save_model(run, name: str, model, tokenizer, meta: dict, *, activate: bool, finish: bool = True) -> str:
    """Store a transformers model with its tokenizer as a new version of ``name``; returns the version."""

    def fill(tmp):
        model.save_pretrained(str(tmp))
        tokenizer.save_pretrained(str(tmp))

    version = artifacts.save_dir(name, fill, {"run": run.pk, **meta}, activate=False)
    if finish:
        finish_artifact(run, name, version, artifacts.root() / name / version, activate=activate)
    return version


__all__ = ["LM_ARTIFACT", "Prepared", "prepare", "active_path", "run_dir", "load_tokenizer", "quiet_transformers",
           "shop_tokenizer", "schedule", "finish_artifact", "save_model", "model_folder"]
