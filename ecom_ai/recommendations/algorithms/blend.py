"""A weighted blend of fitted candidates: each one's scores scaled to [0, 1] per customer, then summed.
The weights are fitted on a validation slice (``ecom_ai.recommendations.selection``)."""
from __future__ import annotations

import numpy as np

from ecom_ai.recommendations.algorithms.base import Candidate, TrainSet, minmax_rows


class Blend(Candidate):
    name = "blend"

    def __init__(self, parts: list[tuple[Candidate, float]]):
        self.parts = [(m, float(w)) for m, w in parts if w > 0]
        if not self.parts:
            raise ValueError("A blend needs at least one part with a positive weight.")
        self.params = {}

    def label(self) -> str:
        return "blend(" + " + ".join(f"{w:g}·{m.label()}" for m, w in self.parts) + ")"

    def fit(self, data: TrainSet) -> "Blend":
        for model, _ in self.parts:
            model.fit(data)
        return self

    def scores(self, rows, history) -> np.ndarray:
        total = None
        for model, w in self.parts:
            s = w * minmax_rows(model.scores(rows, history))
            total = s if total is None else total + s
        return total

    def similar(self, item: int) -> np.ndarray | None:
        total = None
        for model, w in self.parts:
            s = model.similar(item)
            if s is None:
                continue
            s = minmax_rows(np.asarray(s, dtype=np.float32)[None, :])[0] * w
            total = s if total is None else total + s
        return total


__all__ = ["Blend"]
