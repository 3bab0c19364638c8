"""Per-shop model selection on the shop's own latest interactions.

The latest ``val_share`` of the history is held out; its customers are split in two halves at random.
Every candidate family fits on the rest; each family's few settings and the blend's weights are chosen
on half A, and every family and the blend are then compared on half B, which chose nothing. The best
on B is served; since recent popularity is one of the candidates, a model that loses to it is never
served (the report says so when popularity itself wins). The winner is then refitted on everything.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np

from ecom_ai.recommendations.algorithms import (
    ALS,
    BPR,
    DEFAULT_ALS,
    DEFAULT_BPR,
    EASE,
    Blend,
    CoPurchase,
    ItemKNN,
    Popularity,
    RecentPopularity,
    Trending,
)
from ecom_ai.recommendations.algorithms.base import Candidate, TrainSet, minmax_rows, topk_rows
from ecom_ai.recommendations.evaluation import HoldOut, make_holdout, metrics_at_k

K = 10
#: a few general settings per family (no dataset's tuning), from the least to the most regularised: chosen per
#: shop on validation half A, the most regularised one within noise of the best
GRID: dict[str, list[dict]] = {
    "recent_popular": [{"window": 0.1}],
    "popular": [{}],
    "trending": [{"half_life": 0.02}, {"half_life": 0.1}],
    "cooc": [{}],
    "itemknn": [{"K": 100}],
    "bm25": [{"K": 100}],
    "ease": [{"lam": 100.0}, {"lam": 300.0}, {"lam": 1000.0}],
    "als": [dict(DEFAULT_ALS)],
    "bpr": [dict(DEFAULT_BPR)],
}
POPULARITY = ("recent_popular", "trending", "popular")
BASELINE = "recent_popular"
BLEND_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
BLEND_USERS = 1000     # customers of half A the blend's weights are fitted on
#: a personal model is served only when it beats recent popularity on half B by more than noise:
#: its mean per-customer NDCG gain at least this many standard errors above zero
MIN_GAIN_SE = 1.0
EASE_MAX_ITEMS = 4000


def build(family: str, params: dict | None = None, *, num_threads: int | None = None) -> Candidate:
    """A fresh, unfitted candidate of ``family`` with ``params``."""
    p = dict(params or {})
    if family == "popular":
        return Popularity()
    if family == "recent_popular":
        return RecentPopularity(**p)
    if family == "trending":
        return Trending(**p)
    if family == "cooc":
        return CoPurchase()
    if family in ("itemknn", "bm25"):
        return ItemKNN("cosine" if family == "itemknn" else "bm25", num_threads=num_threads, **p)
    if family == "ease":
        return EASE(max_items=EASE_MAX_ITEMS, **p)
    if family == "als":
        return ALS(**{**DEFAULT_ALS, **{k: v for k, v in p.items() if k in DEFAULT_ALS}}, num_threads=num_threads)
    if family == "bpr":
        return BPR(**{**DEFAULT_BPR, **{k: v for k, v in p.items() if k in DEFAULT_BPR}}, num_threads=num_threads)
    raise ValueError(f"Unknown recommendation model {family!r} (choose {', '.join([*GRID, 'blend'])})")


def fit_spec(spec: dict, data: TrainSet, *, num_threads: int | None = None) -> Candidate:
    """Fit what a spec names: ``{"family", "params"}`` or a blend ``{"family": "blend", "parts": [[spec, w], …]}``."""
    if spec["family"] == "blend":
        return Blend([(build(s["family"], s["params"], num_threads=num_threads), w) for s, w in spec["parts"]]).fit(data)
    return build(spec["family"], spec.get("params"), num_threads=num_threads).fit(data)


def spec_label(spec: dict) -> str:
    if spec["family"] == "blend":
        return "blend(" + " + ".join(f"{w:g}·{spec_label(s)}" for s, w in spec["parts"]) + ")"
    shown = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in spec.get("params", {}).items())
    return f"{spec['family']}({shown})" if shown else spec["family"]


@dataclass
class Selection:
    """What the selection found: one row per family and the blend (figures on half B), the spec to serve."""

    rows: list[dict]
    served: dict
    message: str = ""
    users_validated: int = 0
    specs: dict = field(default_factory=dict)   # family -> its chosen spec
    ratio: float = 1.0                          # the served model's NDCG@10 over recent popularity's, on half B

    @property
    def served_family(self) -> str:
        return self.served["family"]


def _score(model: Candidate, ho: HoldOut, idx: np.ndarray) -> tuple[dict, float]:
    started = time.perf_counter()
    recs = model.recommend(ho.rows[idx], ho.user_items, K, filter_liked=True)
    figures = metrics_at_k(recs, [ho.relevant[i] for i in idx], len(ho.items), K, with_users=True)
    return {k: v if k == "ndcg_per_user" else float(v) for k, v in figures.items()}, time.perf_counter() - started


def _better_or_as_good(new: dict, old: dict) -> bool:
    """A family's settings are listed from the least to the most regularised: a later one takes over when it is
    better, or no worse than the earlier one by more than a standard error of their per-customer difference
    (half A's noise should not pick the setting that fits it most closely)."""
    gain = np.asarray(new["ndcg_per_user"]) - np.asarray(old["ndcg_per_user"])
    return gain.mean() >= -_standard_error(gain)


def _standard_error(gain: np.ndarray) -> float:
    """The standard error of a mean per-customer difference (0 for fewer than two customers)."""
    return float(gain.std(ddof=1) / np.sqrt(len(gain))) if len(gain) > 1 else 0.0


def _fit_blend(parts: list[Candidate], ho: HoldOut, idx: np.ndarray, batch: int = 500) -> list[float]:
    """The weights (first part fixed at 1) with the best NDCG@10 on the users at ``idx``."""
    combos = [(1.0, *rest) for rest in itertools.product(BLEND_WEIGHTS, repeat=len(parts) - 1)]
    discounts = 1.0 / np.log2(np.arange(2, K + 2))
    gains = np.zeros(len(combos))
    for start in range(0, len(idx), batch):
        sel = idx[start:start + batch]
        rows = ho.rows[sel]
        hist = ho.user_items[rows]
        r, c = hist.nonzero()
        scaled = []
        for m in parts:
            s = minmax_rows(m.scores(rows, hist))
            s[r, c] = -np.inf
            scaled.append(s)
        rel = [ho.relevant[i] for i in sel]
        ideal = np.array([discounts[:min(len(x), K)].sum() for x in rel])
        for n, weights in enumerate(combos):
            total = sum(w * s for w, s in zip(weights, scaled) if w) if any(weights) else scaled[0]
            top = topk_rows(total, K)
            hits = np.array([[1.0 if i >= 0 and int(i) in x else 0.0 for i in row] for row, x in zip(top, rel)])
            gains[n] += float(((hits * discounts[:hits.shape[1]]).sum(axis=1) / ideal).sum())
    return list(combos[int(np.argmax(gains))])


def select(log, *, extra_items=(), half_life_days: float, val_share: float = 0.2, max_users: int = 4000,
           seed: int = 0, families=None, num_threads: int | None = None, out=None) -> Selection:
    """Choose the model to serve for this history (an :class:`~ecom_ai.recommendations.data.InteractionLog`).

    Raises ``ValueError`` when the history is too short to hold a slice out (the caller serves popularity).
    """
    families = [f for f in (families or GRID) if f in GRID]
    if BASELINE not in families:
        families.insert(0, BASELINE)
    ho = make_holdout(log, test_share=val_share, limit=max_users, seed=seed, half_life_days=half_life_days,
                      extra_items=extra_items)
    order = np.random.default_rng(seed).permutation(len(ho.rows))
    half_a, half_b = np.sort(order[: len(order) // 2]), np.sort(order[len(order) // 2:])
    if not len(half_a):
        half_a = half_b
    best: dict[str, dict] = {}
    for family in families:
        for params in GRID[family]:
            started = time.perf_counter()
            model = build(family, params, num_threads=num_threads).fit(ho.data)
            fit_s = time.perf_counter() - started
            on_a, rec_a = _score(model, ho, half_a)
            if family in best and not _better_or_as_good(on_a, best[family]["a"]):
                continue
            best[family] = {"spec": {"family": family, "params": dict(params)}, "model": model, "a": on_a,
                            "fit_s": fit_s, "rec_s": rec_a}
        if out is not None:
            out.write(f"  {spec_label(best[family]['spec'])}: NDCG@{K} {best[family]['a'][f'ndcg@{K}']:.4f} "
                      f"on half A, fit {best[family]['fit_s']:.1f}s\n")
    by_a = sorted(best, key=lambda f: -best[f]["a"][f"ndcg@{K}"])
    personal = [f for f in by_a if f not in POPULARITY][:2]
    popular = [f for f in by_a if f in POPULARITY][:1]
    if personal:
        parts = personal + popular
        started = time.perf_counter()
        on = np.sort(order[: min(BLEND_USERS, max(1, len(order) // 2))])  # a random part of half A
        weights = _fit_blend([best[f]["model"] for f in parts], ho, on)
        blend = Blend([(best[f]["model"], w) for f, w in zip(parts, weights)])
        best["blend"] = {"spec": {"family": "blend", "parts": [[best[f]["spec"], w] for f, w in zip(parts, weights) if w > 0]},
                         "model": blend, "fit_s": sum(best[f]["fit_s"] for f in parts) + time.perf_counter() - started}
    rows, per_customer = [], {}
    for family, entry in best.items():
        on_b, rec_b = _score(entry["model"], ho, half_b)
        per_customer[family] = on_b["ndcg_per_user"]
        rows.append({"model": family, "settings": spec_label(entry["spec"]), f"ndcg@{K}": round(on_b[f"ndcg@{K}"], 4),
                     f"recall@{K}": round(on_b[f"recall@{K}"], 4), "coverage": round(on_b["coverage"], 4),
                     "fit_s": round(entry["fit_s"], 2), "recommend_s": round(rec_b, 2), "served": False})
    # the best on B; a tie goes to the simpler model (popularity first, the blend last)
    winner = max(rows, key=lambda r: (r[f"ndcg@{K}"], -list(best).index(r["model"])))
    base = next(r for r in rows if r["model"] == BASELINE)
    gain = per_customer[winner["model"]] - per_customer[BASELINE]
    clear = winner["model"] in POPULARITY or gain.mean() > MIN_GAIN_SE * _standard_error(gain)
    if not clear:
        winner = max((r for r in rows if r["model"] in POPULARITY), key=lambda r: r[f"ndcg@{K}"])
    winner["served"] = True
    ratio = winner[f"ndcg@{K}"] / base[f"ndcg@{K}"] if base[f"ndcg@{K}"] else float("inf")
    if winner["model"] in POPULARITY:
        message = ("Popularity wins on this shop's latest interactions: no personal model beats it "
                   f"{'clearly ' if not clear else ''}enough, so {winner['model']} is served.")
    else:
        message = f"{winner['model']} is served: NDCG@{K} {winner[f'ndcg@{K}']:.4f}, {ratio:.2f}× recent popularity."
    return Selection(rows=rows, served=best[winner["model"]]["spec"], message=message,
                     users_validated=int(len(half_b)), specs={f: e["spec"] for f, e in best.items()}, ratio=ratio)


def format_rows(rows: list[dict], *, title: str = "") -> str:
    keys = [f"ndcg@{K}", f"recall@{K}", "coverage", "fit_s"]
    lines = [title] if title else []
    lines.append(f"{'model':<16}" + "".join(f"{k:>11}" for k in keys) + "  served  settings")
    for r in rows:
        lines.append(f"{r['model']:<16}" + "".join(f"{r[k]:>11.4f}" if k != "fit_s" else f"{r[k]:>11.2f}" for k in keys)
                     + f"  {'  *   ' if r.get('served') else '      '}  {r.get('settings', '')}")
    return "\n".join(lines)


__all__ = ["GRID", "Selection", "build", "fit_spec", "format_rows", "select", "spec_label"]


#: computed independently on the same split by ``evaluate``, to compare the served model with
REFERENCES = {"recent_popular": {"window": 0.1}, "ease": {"lam": 300.0}, "als": dict(DEFAULT_ALS)}


def evaluate_log(log, *, spec: dict | None = None, limit: int | None = None, seed: int = 0,
                 extra_items=(), half_life_days: float, test_share: float = 0.2, num_threads: int | None = None,
                 out=None) -> dict:
    """The temporal hold-out (the last ``test_share``): the selection runs on the past alone, then every
    family's chosen settings, the blend and the references refit on the whole past and are scored on
    the future. ``spec``: evaluate that model alone (``{"family", "params"}`` or a blend's spec) instead."""
    ho = make_holdout(log, test_share=test_share, limit=limit, seed=seed, half_life_days=half_life_days,
                      extra_items=extra_items)
    if spec:
        served, message, selection_rows = spec["family"], "", []
        specs = {served: spec}
    else:
        sel = select(ho.train, extra_items=ho.items.ids.tolist(), half_life_days=half_life_days, seed=seed,
                     num_threads=num_threads, out=out)
        specs, served, message, selection_rows = sel.specs, sel.served_family, sel.message, sel.rows
    for name, p in REFERENCES.items():
        specs.setdefault(f"ref_{name}", {"family": name, "params": p})
    specs.setdefault("popular", {"family": "popular", "params": {}})
    fitted: dict[str, tuple[Candidate, float]] = {}

    def fitted_model(spec):
        key = spec_label(spec)
        if key not in fitted:
            started = time.perf_counter()
            if spec["family"] == "blend":
                parts = [(fitted_model(s)[0], w) for s, w in spec["parts"]]
                fitted[key] = (Blend(parts), sum(fitted_model(s)[1] for s, _ in spec["parts"]))
            else:
                fitted[key] = (fit_spec(spec, ho.data, num_threads=num_threads), time.perf_counter() - started)
        return fitted[key]

    results = {}
    everyone = np.arange(len(ho.rows))
    for name, spec in specs.items():
        m, fit_s = fitted_model(spec)
        figures, rec_s = _score(m, ho, everyone)
        figures.pop("ndcg_per_user")
        results[name] = {**figures, "fit_s": round(fit_s, 3), "recommend_s": round(rec_s, 3),
                         "settings": spec_label(spec), "served": name == served}
    nd = f"ndcg@{K}"
    refs = [results[f"ref_{n}"][nd] for n in REFERENCES]
    served_nd = results[served][nd]

    def ratio(a, b):
        return a / b if b else float("inf")

    return {"model": served, "k": K, "users_evaluated": int(len(ho.rows)), "n_users": len(ho.users),
            "n_items": len(ho.items), "n_train": ho.n_train, "n_test": ho.n_test, "results": results,
            "selection": selection_rows, "message": message,
            "ndcg_ratio": ratio(served_nd, results["popular"][nd]),
            "ratio_vs_recent_popular": ratio(served_nd, results["ref_recent_popular"][nd]),
            "ratio_vs_best_reference": ratio(served_nd, max(refs))}


def format_report(report: dict) -> str:
    k = report["k"]
    keys = [f"precision@{k}", f"recall@{k}", f"ndcg@{k}", "coverage", "fit_s"]
    lines = [f"Temporal hold-out: {report['n_train']} interactions before the cut-off, {report['n_test']} after; "
             f"{report['users_evaluated']} users evaluated, {report['n_items']} items.",
             f"{'model':<22}" + "".join(f"{x:>13}" for x in keys) + "  served  settings"]
    for name, r in report["results"].items():
        lines.append(f"{name:<22}" + "".join(f"{r[x]:>13.4f}" if x != "fit_s" else f"{r[x]:>13.2f}" for x in keys)
                     + f"  {'  *   ' if r['served'] else '      '}  {r['settings']}")
    lines.append(f"served {report['model']}: {report['ndcg_ratio']:.2f}x all-time popularity, "
                 f"{report['ratio_vs_recent_popular']:.2f}x recent popularity, "
                 f"{report['ratio_vs_best_reference']:.2f}x the best of recent popularity, EASE(lam=300) and ALS")
    if report.get("message"):
        lines.append(report["message"])
    return "\n".join(lines)
