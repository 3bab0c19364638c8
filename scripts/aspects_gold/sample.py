"""Sample the reviews of the aspect gold set (ecom_ai/data/aspects_gold.csv) from the shared corpus.

Stratified over the ten categories and both labels (PER_CELL reviews each), with a fixed seed; reviews
that are empty, shorter than MIN_LEN or longer than MAX_LEN characters are skipped (never cut), and so
are exact duplicates of a review already drawn. ``id`` is the 0-based data-row index in the source file
(header not counted). Half the rows, drawn with the same seed, go to the "dev" split, the rest to "test".

    python3 scripts/aspects_gold/sample.py  # writes scripts/aspects_gold/worklist.jsonl
"""
from __future__ import annotations

import csv
import gzip
import json
import random
from collections import defaultdict
from pathlib import Path

SOURCE = Path("/work/shared/data/online_shopping_reviews.dev.csv.gz")
OUT = Path(__file__).with_name("worklist.jsonl")
SEED = 20261203
PER_CELL = 23  # 10 categories x 2 labels x 23 = 460 reviews
MIN_LEN, MAX_LEN = 2, 200


def main() -> None:
    with gzip.open(SOURCE, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cells: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        text = (row["review"] or "").strip()
        if MIN_LEN <= len(text) <= MAX_LEN:
            cells[(row["cat"], row["label"])].append(i)
    rng = random.Random(SEED)
    seen: set[str] = set()
    picked: list[int] = []
    for key in sorted(cells):
        candidates = cells[key][:]
        rng.shuffle(candidates)
        taken = 0
        for i in candidates:
            text = rows[i]["review"].strip()
            if text in seen:
                continue
            seen.add(text)
            picked.append(i)
            taken += 1
            if taken == PER_CELL:
                break
    # split: shuffle within each cell, then alternate dev/test over the whole ordered list (balanced per cell)
    order = sorted(picked, key=lambda i: (rows[i]["cat"], rows[i]["label"], rng.random()))
    split = {i: ("dev" if n % 2 == 0 else "test") for n, i in enumerate(order)}
    with OUT.open("w", encoding="utf-8") as fh:
        for i in sorted(picked):
            r = rows[i]
            fh.write(json.dumps({"id": i, "split": split[i], "cat": r["cat"], "label": int(r["label"]),
                                 "review": r["review"].strip()}, ensure_ascii=False) + "\n")
    print(f"{len(picked)} reviews -> {OUT}")


if __name__ == "__main__":
    main()
