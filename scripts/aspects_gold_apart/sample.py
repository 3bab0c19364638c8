"""Stratified sample for the independent ("apart") aspect gold set.

10 categories x label 0/1 = 20 cells, 10 reviews each = 200 reviews.
Excludes every id (and every review text) already in ecom_ai/data/aspects_gold.csv;
only that file's `id` column is read to get the ids, the texts come from the dev file.
"""
import csv
import gzip
import json
import random
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV = Path("/work/shared/data/online_shopping_reviews.dev.csv.gz")
FIRST_GOLD = ROOT / "ecom_ai/data/aspects_gold.csv"
OUT = Path(__file__).resolve().parent / "worklist.jsonl"
SEED = 20261204
PER_CELL = 10


def main() -> None:
    with gzip.open(DEV, "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(FIRST_GOLD, encoding="utf-8", newline="") as f:
        excluded_ids = {int(r["id"]) for r in csv.DictReader(f)}
    excluded_texts = {rows[i]["review"].strip() for i in excluded_ids if i < len(rows)}

    cells: dict[tuple[str, int], list[dict]] = defaultdict(list)
    seen: set[str] = set()
    for i, r in enumerate(rows):
        text = (r["review"] or "").strip()
        if not (2 <= len(text) <= 200):
            continue
        if i in excluded_ids or text in excluded_texts or text in seen:
            continue
        seen.add(text)
        cells[(r["cat"], int(r["label"]))].append({"id": i, "cat": r["cat"], "label": int(r["label"]), "review": text})

    rng = random.Random(SEED)
    out = []
    for key in sorted(cells):
        pool = cells[key]
        assert len(pool) >= PER_CELL, key
        out.extend(sorted(rng.sample(pool, PER_CELL), key=lambda x: x["id"]))
    assert len({c for c, _ in cells}) == 10, sorted(cells)
    with open(OUT, "w", encoding="utf-8") as f:
        for r in out:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(out)} reviews -> {OUT}")


if __name__ == "__main__":
    main()
