"""Offline evaluation of the feedback feature: ``ecom_ai evaluate sentiment`` (the review classifier) and
``ecom_ai evaluate aspects`` (aspect detection and polarity against a gold CSV)."""
from __future__ import annotations

import time
from collections import defaultdict

from ecom_ai.feedback.aspects import get_detector, parse_gold

from ecom_ai.feedback.corpus import _sample, read_labelled_csv, shop_labelled_reviews
from ecom_ai.feedback.sentiment import _metrics, train_sentiment_baseline
from ecom_ai.nlp import sentiment as sentiment_nlp
from ecom_ai.storage import artifacts
from ecom_ai.storage.datafiles import open_csv


def evaluate_sentiment(*, out, csv=None, model=None, limit=None, seed: int = 0) -> dict:
    """Accuracy (and per-class precision/recall) of the active classifier, or of the stored version
    ``model``, on a ``label,review`` CSV (gzip accepted), or on the shop's rated reviews."""
    if not model and artifacts.active_version(sentiment_nlp.ARTIFACT_NAME) is None:
        out.write("No sentiment classifier is active yet: training the baseline first "
                  "(python manage.py ecom_ai train sentiment-baseline).\n")
        train_sentiment_baseline(out=out, activate=True)
    artifact = artifacts.load(sentiment_nlp.ARTIFACT_NAME, model) if model else artifacts.load_active(sentiment_nlp.ARTIFACT_NAME)
    if csv:
        texts, labels = read_labelled_csv(csv, limit=int(limit) if limit else None, seed=seed)
        source = str(csv)
    else:
        texts, labels = _sample(*shop_labelled_reviews(), int(limit) if limit else None, seed)
        source = "the shop's rated reviews"
    if not texts:
        raise ValueError(f"No labelled reviews to evaluate on in {source}.")
    started = time.perf_counter()
    predicted = sentiment_nlp.predict(texts, model=artifact.obj)
    seconds = time.perf_counter() - started
    m = _metrics(labels, predicted)
    m.update({"model": f"{artifact.name}:{artifact.version}", "source": source, "seconds": round(seconds, 2)})
    out.write(f"sentiment {artifact.version} on {source}: accuracy {m['accuracy']:.4f} (n={m['n']})\n")
    for name in ("positive", "negative"):
        out.write(f"  {name:<8} precision {m[f'{name}_precision']:.4f}  recall {m[f'{name}_recall']:.4f}  n={m[f'{name}_n']}\n")
    return m


# =========================================================================== aspects

def _aspect_rows(path) -> list[dict]:
    """The rows of an aspect gold CSV: ``review`` and ``aspects`` (``slug:pos;slug:neg``), optional ``cat`` and
    ``split``. A missing column or a bad ``aspects`` cell raises ValueError naming the file and line."""
    with open_csv(path) as reader:
        names = {c.strip().lower(): c for c in (reader.fieldnames or [])}
        missing = [c for c in ("review", "aspects") if c not in names]
        if missing:
            raise ValueError(f"{path} lacks the column(s) {', '.join(missing)}; it needs review,aspects "
                             f"(found: {', '.join(names) or 'nothing'})")
        rows = []
        for lineno, row in enumerate(reader, start=2):
            try:
                gold = parse_gold(row.get(names["aspects"]) or "")
            except ValueError as exc:
                raise ValueError(f"{path} line {lineno}: {exc}") from None
            label = (row.get(names["label"]) or "").strip() if "label" in names else ""
            rows.append({"review": row.get(names["review"]) or "", "gold": gold,
                         "sentiment": int(float(label)) if label in ("0", "1", "0.0", "1.0") else None,
                         "cat": (row.get(names["cat"]) or "").strip() if "cat" in names else "",
                         "split": (row.get(names["split"]) or "").strip() if "split" in names else ""})
    return rows


def score_aspects(rows: list[dict], predicted: list[dict[str, str]]) -> dict:
    """Micro precision / recall / F1 of (review, aspect) pairs, polarity accuracy on the pairs found in both,
    and the same per aspect."""
    per = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0, "polarity_ok": 0})
    for row, pred in zip(rows, predicted):
        gold = row["gold"]
        for slug in set(gold) | set(pred):
            cell = per[slug]
            if slug in gold and slug in pred:
                cell["tp"] += 1
                cell["polarity_ok"] += int(gold[slug] == pred[slug])
            elif slug in pred:
                cell["fp"] += 1
            else:
                cell["fn"] += 1

    def prf(c):
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": c["tp"] + c["fn"],
                "found": c["tp"], "polarity_accuracy": round(c["polarity_ok"] / c["tp"], 4) if c["tp"] else 0.0}

    total = {k: sum(c[k] for c in per.values()) for k in ("tp", "fp", "fn", "polarity_ok")}
    micro = prf(total)
    return {"n": len(rows), "micro_precision": micro["precision"], "micro_recall": micro["recall"],
            "micro_f1": micro["f1"], "polarity_accuracy": micro["polarity_accuracy"], "pairs_found": total["tp"],
            "gold_pairs": total["tp"] + total["fn"], "predicted_pairs": total["tp"] + total["fp"],
            "per_aspect": {slug: prf(per[slug]) for slug in sorted(per, key=lambda s: (-(per[s]["tp"] + per[s]["fn"]), s))}}


def evaluate_aspects(*, out, csv=None, model=None, limit=None, seed: int = 0, sentiment: bool = True) -> dict:
    """Aspect detection and polarity of the detector that summaries use, on a gold CSV (``review``, ``aspects``
    written ``slug:pos;slug:neg``). Optional columns, used as summaries use the shop's data: ``cat`` (the
    product's category), ``label`` (the review's sentiment, 1/0, as a summary has it from the rating or the
    classifier; ``sentiment=False`` leaves it out); ``split`` is scored per split too. ``model`` is not
    used: the lexicon detector (with the shop's aspects) is the one served."""
    if not csv:
        raise ValueError("Give the gold set: --csv FILE with review,aspects columns (ecom_ai/data/aspects_gold.csv).")
    rows = _aspect_rows(csv)
    if limit:
        rows = rows[: int(limit)]
    if not rows:
        raise ValueError(f"No rows to evaluate in {csv}.")
    detector = get_detector()
    started = time.perf_counter()
    if sentiment:
        predicted = [{slug: j.polarity for slug, j in detector.detect(r["review"], r["cat"] or None, r["sentiment"]).items()}
                     for r in rows]
    else:
        predicted = [{slug: j.polarity for slug, j in detector.detect(r["review"], r["cat"] or None).items()} for r in rows]
    seconds = time.perf_counter() - started
    m = score_aspects(rows, predicted)
    m.update({"source": str(csv), "detector": "lexicon", "seconds": round(seconds, 3),
              "review_sentiment": bool(sentiment and any(r["sentiment"] is not None for r in rows))})
    splits = sorted({r["split"] for r in rows if r["split"]})
    if len(splits) > 1 or (splits and len(splits) == 1):
        m["splits"] = {}
        for split in splits:
            idx = [i for i, r in enumerate(rows) if r["split"] == split]
            s = score_aspects([rows[i] for i in idx], [predicted[i] for i in idx])
            m["splits"][split] = {k: s[k] for k in ("n", "micro_precision", "micro_recall", "micro_f1", "polarity_accuracy")}
    out.write(f"aspects on {csv} ({m['n']} reviews, {m['gold_pairs']} gold judgements): micro P {m['micro_precision']:.4f} "
              f"R {m['micro_recall']:.4f} F1 {m['micro_f1']:.4f}; polarity accuracy {m['polarity_accuracy']:.4f} "
              f"on the {m['pairs_found']} found\n")
    for split, s in m.get("splits", {}).items():
        out.write(f"  {split:<6} n={s['n']:<4} P {s['micro_precision']:.4f}  R {s['micro_recall']:.4f}  "
                  f"F1 {s['micro_f1']:.4f}  polarity {s['polarity_accuracy']:.4f}\n")
    out.write(f"  {'aspect':<14}{'support':>8}{'P':>8}{'R':>8}{'F1':>8}{'polarity':>10}\n")
    for slug, a in m["per_aspect"].items():
        out.write(f"  {slug:<14}{a['support']:>8}{a['precision']:>8.3f}{a['recall']:>8.3f}{a['f1']:>8.3f}"
                  f"{a['polarity_accuracy']:>10.3f}\n")
    return m
