"""Write ecom_ai/data/aspects_gold.csv from the worklist (sample.py) and the annotations (labels.py),
and print the counts per aspect, polarity and split that ecom_ai/data/aspects_gold.md quotes.

    python3 scripts/aspects_gold/build.py
"""
from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ASPECTS = Path("/work/shared/data/aspects.json")
OUT = ROOT / "ecom_ai" / "data" / "aspects_gold.csv"
POLARITIES = ("pos", "neg", "mixed")

sys.path.insert(0, str(HERE))
from labels import LABELS, UNCOVERED  # noqa: E402


def parse(value: str, slugs: list[str]) -> list[tuple[str, str]]:
    pairs = [tuple(part.split(":")) for part in value.split(";") if part]
    for slug, polarity in pairs:
        if slug not in slugs or polarity not in POLARITIES:
            raise ValueError(f"bad gold aspect {slug}:{polarity}")
    if len({slug for slug, _ in pairs}) != len(pairs):
        raise ValueError(f"aspect repeated in {value!r}")
    return sorted(pairs, key=lambda p: slugs.index(p[0]))


def main() -> None:
    slugs = list(json.loads(ASPECTS.read_text(encoding="utf-8"))["aspects"])
    work = [json.loads(line) for line in (HERE / "worklist.jsonl").read_text(encoding="utf-8").splitlines()]
    missing = [r["id"] for r in work if r["id"] not in LABELS]
    if missing:
        raise SystemExit(f"{len(missing)} reviews not annotated yet, e.g. {missing[:5]}")
    counts: Counter = Counter()
    per_split: Counter = Counter()
    empty = Counter()
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "split", "cat", "label", "review", "aspects"])
        for r in work:
            pairs = parse(LABELS[r["id"]], slugs)
            writer.writerow([r["id"], r["split"], r["cat"], r["label"], r["review"],
                             ";".join(f"{s}:{p}" for s, p in pairs)])
            per_split[r["split"]] += 1
            if not pairs:
                empty[r["split"]] += 1
            for slug, polarity in pairs:
                counts[(slug, polarity)] += 1
                counts[(slug, r["split"])] += 1
    print(f"{sum(per_split.values())} rows -> {OUT.relative_to(ROOT)}; splits {dict(per_split)}; "
          f"no aspect {sum(empty.values())} {dict(empty)}; judgements outside the 27 in {len(UNCOVERED)} rows")
    print("| aspect | pos | neg | mixed | total | dev | test |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = Counter()
    for slug in slugs:
        row = [counts[(slug, p)] for p in POLARITIES]
        total = sum(row)
        dev, test = counts[(slug, "dev")], counts[(slug, "test")]
        totals.update({"pos": row[0], "neg": row[1], "mixed": row[2], "total": total, "dev": dev, "test": test})
        print(f"| {slug} | {row[0]} | {row[1]} | {row[2]} | {total} | {dev} | {test} |")
    print(f"| **all** | {totals['pos']} | {totals['neg']} | {totals['mixed']} | {totals['total']} | "
          f"{totals['dev']} | {totals['test']} |")


if __name__ == "__main__":
    main()
