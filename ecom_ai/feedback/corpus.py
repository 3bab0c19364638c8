"""Readers of the feedback feature's training data: labelled review CSVs and the shop's rated reviews.

The training package reads its corpora through these (``ecom_ai.feedback.services`` re-exports them).
"""
from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Iterator

from django.conf import settings

from ecom_ai.adapters import get_adapter
from ecom_ai.feedback.themes import has_words
from ecom_ai.llm.fence import looks_like_instructions
from ecom_ai.nlp import sentiment as sentiment_nlp
from ecom_ai.storage.datafiles import open_csv


def default_csv() -> Path | None:
    """ECOM_AI_SENTIMENT_CSV, else the shared labelled corpus next to the project when it exists."""
    env = os.environ.get("ECOM_AI_SENTIMENT_CSV")
    if env:
        return Path(env)
    path = Path(settings.BASE_DIR).parent / "shared/data/online_shopping_reviews.dev.csv.gz"
    return path if path.exists() else None


def labelled_rows(path) -> Iterator[tuple[str, int, str]]:
    """``(cat, label, review)`` of a ``label,review`` CSV (gzip accepted; ``cat`` optional, other columns
    ignored; the review as written, blank ones skipped); label 1 positive, 0 negative. A missing column or
    a bad label raises ``ValueError`` naming the file (and the line)."""
    with open_csv(path) as reader:
        columns = [c.strip().lower() for c in (reader.fieldnames or [])]
        missing = [c for c in ("label", "review") if c not in columns]
        if missing:
            raise ValueError(f"{path} lacks the column(s) {', '.join(missing)}; it needs label,review "
                             f"(found: {', '.join(columns) or 'nothing'})")
        names = {c.strip().lower(): c for c in reader.fieldnames}
        for lineno, row in enumerate(reader, start=2):
            label = (row.get(names["label"]) or "").strip()
            if label not in ("0", "1", "0.0", "1.0"):
                raise ValueError(f"{path} line {lineno}: label must be 0 or 1, not {label!r}")
            review = row.get(names["review"]) or ""
            if review.strip():
                yield (row.get(names["cat"]) or "") if "cat" in names else "", int(float(label)), review


def read_labelled_csv(path, *, limit: int | None = None, seed: int = 0) -> tuple[list[str], list[int]]:
    """``label,review`` rows (see :func:`labelled_rows`) as texts and labels; a seeded sample of ``limit``."""
    texts, labels = [], []
    for _cat, label, review in labelled_rows(path):
        texts.append(review.strip())
        labels.append(label)
    return _sample(texts, labels, limit, seed)


def _sample(texts: list[str], labels: list[int], limit: int | None, seed: int) -> tuple[list[str], list[int]]:
    """At most ``limit`` (text, label) pairs, a seeded random sample kept in file order; all when ``limit`` is None."""
    if limit is not None and len(texts) > limit:
        idx = sorted(random.Random(seed).sample(range(len(texts)), int(limit)))
        texts, labels = [texts[i] for i in idx], [labels[i] for i in idx]
    return texts, labels


def shop_labelled_reviews() -> tuple[list[str], list[int]]:
    """The shop's rated reviews through the adapter: 4–5 stars positive, 1–2 negative, 3 skipped."""
    adapter = get_adapter()
    ids = [p.id for p in adapter.iter_products()]
    texts, labels = [], []
    for r in adapter.get_reviews(ids) if ids else ():
        label = sentiment_nlp.rating_label(r.rating)
        if label is not None and has_words(r.text) and not looks_like_instructions(r.text):
            texts.append(r.text)
            labels.append(label)
    return texts, labels
