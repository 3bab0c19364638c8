"""Build ecom_ai/data/aspects_gold_apart.csv from worklist.jsonl + labels.py.

Columns: id,split,cat,label,review,aspects. split is "a" for even ids and "b" for odd ids (half a was read
for error analysis after the first measurement, half b never: see aspects_gold_apart.md); aspects are
validated against /work/shared/data/aspects.json (falls back to ecom_ai/data/aspects.json),
sorted in aspects.json order, no repeated slug. Prints counts per aspect and polarity.
"""
import csv
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
from labels import LABELS  # noqa: E402

ASPECTS_CANDIDATES = [Path("/work/shared/data/aspects.json"), ROOT / "ecom_ai/data/aspects.json"]
OUT = ROOT / "ecom_ai/data/aspects_gold_apart.csv"
POLARITIES = ("pos", "neg", "mixed")


def load_order() -> list[str]:
    for p in ASPECTS_CANDIDATES:
        if p.exists():
            return list(json.loads(p.read_text(encoding="utf-8"))["aspects"])
    raise SystemExit("aspects.json not found")


def normalise(value: str, order: list[str], rid: int) -> str:
    if not value.strip():
        return ""
    found: dict[str, str] = {}
    for part in value.split(";"):
        slug, _, pol = part.strip().partition(":")
        if slug not in order:
            raise SystemExit(f"id {rid}: unknown slug {slug!r}")
        if pol not in POLARITIES:
            raise SystemExit(f"id {rid}: bad polarity {pol!r}")
        if slug in found:
            raise SystemExit(f"id {rid}: repeated slug {slug!r}")
        found[slug] = pol
    return ";".join(f"{s}:{found[s]}" for s in order if s in found)


def main() -> None:
    order = load_order()
    rows = [json.loads(line) for line in (HERE / "worklist.jsonl").read_text(encoding="utf-8").splitlines() if line]
    ids = [r["id"] for r in rows]
    missing = set(ids) - set(LABELS)
    extra = set(LABELS) - set(ids)
    if missing or extra:
        raise SystemExit(f"labels do not match worklist: missing={sorted(missing)} extra={sorted(extra)}")
    counts: Counter = Counter()
    empty = 0
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "split", "cat", "label", "review", "aspects"])
        for r in sorted(rows, key=lambda r: r["id"]):
            asp = normalise(LABELS[r["id"]], order, r["id"])
            if not asp:
                empty += 1
            for part in filter(None, asp.split(";")):
                counts[tuple(part.split(":"))] += 1
            w.writerow([r["id"], "a" if r["id"] % 2 == 0 else "b", r["cat"], r["label"], r["review"], asp])
    print(f"{len(rows)} rows -> {OUT}; {sum(counts.values())} judgements; {empty} rows with no aspect")
    print("| aspect | pos | neg | mixed | total |")
    print("|---|---|---|---|---|")
    for s in order:
        c = [counts[(s, p)] for p in POLARITIES]
        if sum(c):
            print(f"| {s} | {c[0]} | {c[1]} | {c[2]} | {sum(c)} |")
    print(f"| all | " + " | ".join(str(sum(v for (s, p), v in counts.items() if p == q)) for q in POLARITIES)
          + f" | {sum(counts.values())} |")


if __name__ == "__main__":
    main()
