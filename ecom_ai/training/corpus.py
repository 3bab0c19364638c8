"""The shop's own text and labels for training: product names/descriptions, reviews, inquiries, approved replies."""
from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path
from typing import Iterator, Sequence

from ecom_ai.adapters import get_adapter
from ecom_ai.nlp.text import normalize
from ecom_ai.storage.datafiles import open_csv


def shop_texts() -> Iterator[str]:
    """Every text the shop owns, through the adapter (products, reviews) and ecom_ai's inquiries."""
    from ecom_ai.inquiries.models import Inquiry

    def texts():
        adapter = get_adapter()
        ids = []
        for p in adapter.iter_products():
            ids.append(p.id)
            yield p.name
            yield p.description
        if ids:
            for r in adapter.get_reviews(ids):
                yield r.text
        yield from Inquiry.objects.values_list("text", flat=True).iterator()

    for text in texts():
        text = normalize(str(text or ""))
        if text:
            yield text


def csv_texts(path, *, limit: int | None = None, seed: int = 0) -> list[str]:
    """The text column of a CSV (gzip accepted): ``review``, else ``text``, else the last column."""
    out: list[str] = []
    with open_csv(path) as reader:
        names = {c.strip().lower(): c for c in (reader.fieldnames or [])}
        if not names:
            raise ValueError(f"{path} has no header row")
        column = names.get("review") or names.get("text") or reader.fieldnames[-1]
        for row in reader:
            text = normalize(str(row.get(column) or ""))
            if text:
                out.append(text)
    if limit and len(out) > limit:
        out = random.Random(seed).sample(out, int(limit))
    return out


def corpus(*, csv=None, csv_limit: int | None = None, seed: int = 0, shop: bool = True) -> list[str]:
    """The shop's texts (unless ``shop`` is false) plus, optionally, a CSV's text column; exact duplicates dropped."""
    texts = list(shop_texts()) if shop else []
    if csv:
        texts += csv_texts(csv, limit=csv_limit, seed=seed)
    return list(dict.fromkeys(texts))


def split(n: int, test_size: float, seed: int, labels: Sequence | None = None,
          ordered: bool = True) -> tuple[list[int], list[int]]:
    """Train / held-out indices; stratified by ``labels`` when given. Deterministic for a seed. In index
    order, or (``ordered=False``) as drawn: label group by label group, shuffled within each."""
    rng = random.Random(seed)
    groups: dict = defaultdict(list)
    for i in range(n):
        groups[labels[i] if labels is not None else 0].append(i)
    train, test = [], []
    for key in sorted(groups, key=str):
        idx = groups[key]
        rng.shuffle(idx)
        k = int(round(len(idx) * test_size))
        if labels is not None and len(idx) >= 2:
            k = max(1, min(k, len(idx) - 1))
        test += idx[:k]
        train += idx[k:]
    return (sorted(train), sorted(test)) if ordered else (train, test)


def sentiment_examples(*, csv=None, limit: int | None = None, seed: int = 0, shop: bool = True) -> tuple[list[str], list[int], dict]:
    """Rated reviews (4–5 → 1, 1–2 → 0) plus the labelled CSV (``--csv`` or the shared corpus when present)."""
    from ecom_ai.feedback import services as feedback

    texts, labels, sources = [], [], {}
    if shop:
        t, y = feedback.shop_labelled_reviews()
        texts += t
        labels += y
        sources["shop_reviews"] = len(t)
    path = Path(csv) if csv else feedback.default_csv()
    if path is not None:
        t, y = feedback.read_labelled_csv(path, limit=int(limit) if limit else None, seed=seed)
        texts += t
        labels += y
        sources["csv"] = str(path)
        sources["csv_rows"] = len(t)
    # the demo shop's reviews are drawn from the same corpus: one copy of each text, so no review is
    # both trained on and held out
    seen: set[str] = set()
    kept_t, kept_y = [], []
    for text, label in zip(texts, labels):
        key = normalize(str(text or ""))
        if key and key not in seen:
            seen.add(key)
            kept_t.append(text)
            kept_y.append(label)
    sources["duplicates_dropped"] = len(texts) - len(kept_t)
    return kept_t, kept_y, sources


def intent_examples(*, csv=None) -> tuple[list[str], list[str], dict]:
    """The shipped seed set + inquiries whose intent staff confirmed (+ an optional text,intent CSV)."""
    from ecom_ai.inquiries import services as inquiries

    rows = inquiries.labelled_examples(csv)
    n_seed = len(inquiries.load_seed())
    return [r[0] for r in rows], [r[1] for r in rows], {"seed": n_seed, "shop_labelled": len(rows) - n_seed}


def reply_pairs() -> list[dict]:
    """Approved question/reply pairs with the facts the reply used."""
    from ecom_ai.inquiries.models import ApprovedReply

    return [
        {"question": q, "reply": r, "language": lang or "zh", "facts": facts or [], "intent": intent}
        for q, r, lang, facts, intent in ApprovedReply.objects.order_by("pk").values_list(
            "question", "reply", "language", "facts", "intent")
        if (q or "").strip() and (r or "").strip()
    ]


__all__ = ["shop_texts", "csv_texts", "corpus", "split", "sentiment_examples", "intent_examples", "reply_pairs"]
