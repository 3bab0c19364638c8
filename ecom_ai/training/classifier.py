"""A fine-tuned transformer classifier behind the scikit-learn interface (``predict``, ``predict_proba``,
``classes_``), so ``nlp.sentiment`` / ``nlp.intent`` / ``services.feedback.evaluate_sentiment`` use it unchanged.

The object pickled into the ``sentiment`` / ``intent`` artefact holds only a reference to the Hugging Face
folder (an artefact name and version, resolved under the artefact root when first used), so joblib
files stay small and the weights load lazily, once per process.
"""
from __future__ import annotations

import threading
from pathlib import Path

_LOADED: dict[str, tuple[object, object]] = {}
_LOCK = threading.Lock()


class TransformerTextClassifier:
    """``predict(texts) -> labels``, ``predict_proba(texts) -> array``, ``classes_``, like an sklearn pipeline."""

    kind = "transformer"

    def __init__(self, artifact_name: str, version: str, classes, *, max_length: int = 128, batch_size: int = 64,
                 device: str = "auto"):
        self.artifact_name = artifact_name
        self.artifact_version = version
        self.classes_ = list(classes)
        self.max_length = int(max_length)
        self.batch_size = int(batch_size)
        self.device = device

    @property
    def path(self) -> Path:
        from ecom_ai.storage import artifacts

        return artifacts.root() / self.artifact_name / self.artifact_version

    def _load(self):
        key = str(self.path.resolve())
        cached = _LOADED.get(key)
        if cached is not None:
            return cached
        with _LOCK:
            if key not in _LOADED:
                from transformers import AutoModelForSequenceClassification, AutoTokenizer

                from ecom_ai.llm.transformers import resolve_device
                from ecom_ai.training.builders import mean_pool_classifier_class

                mean_pool_classifier_class()        # registers the mean-pooling head with the Auto classes

                if not self.path.is_dir():
                    from ecom_ai.storage.artifacts import NoArtifact

                    raise NoArtifact(f"{self.artifact_name} has no version {self.artifact_version}")
                tokenizer = AutoTokenizer.from_pretrained(self.path, local_files_only=True)
                model = AutoModelForSequenceClassification.from_pretrained(self.path, local_files_only=True)
                model.to(resolve_device(self.device))
                model.eval()
                _LOADED[key] = (tokenizer, model)
            return _LOADED[key]

    def predict_proba(self, texts):
        import numpy as np

        from ecom_ai.training.tokenizer import encode_for_encoder

        texts = [str(t or "") for t in texts]
        if not texts:
            return np.zeros((0, len(self.classes_)), dtype=np.float32)
        tokenizer, model = self._load()
        ids = encode_for_encoder(tokenizer, texts, self.max_length)
        return predict_ids(model, ids, tokenizer.pad_token_id, batch_size=self.batch_size)

    def predict(self, texts):
        import numpy as np

        probs = self.predict_proba(texts)
        return np.array([self.classes_[i] for i in probs.argmax(axis=1)]) if len(probs) else np.array([])

    def __getstate__(self):
        return dict(self.__dict__)

    def __repr__(self):
        return f"TransformerTextClassifier({self.artifact_name}:{self.artifact_version}, classes={self.classes_})"


def predict_ids(model, ids: list[list[int]], pad_id: int, batch_size: int = 64):
    """Class probabilities (an ``len(ids) × num_labels`` array, rows in the order given) of a sequence
    classifier for encoded texts; batches of similar lengths, so little padding."""
    import numpy as np
    import torch

    from ecom_ai.training.builders import classify_collate

    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    collate = classify_collate(pad_id)
    out = np.zeros((len(ids), model.config.num_labels), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            batch = collate([(ids[i], 0) for i in idx])
            batch.pop("labels")
            logits = model(**{k: v.to(model.device) for k, v in batch.items()}).logits
            out[idx] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
    return out


def clear_cache() -> None:
    with _LOCK:
        _LOADED.clear()


__all__ = ["TransformerTextClassifier", "predict_ids", "clear_cache"]
