"""Services of the recommendations feature: train the versioned model, recommend with business rules
and grounded reasons, similar / bought-together lists, stored sets, jobs, and offline evaluation.

Every entry point (admin action, job pipeline, API, ``ecom_ai train|evaluate``, periodic task) calls
a function here. Settings (all optional) live in ``ECOM_AI["RECOMMENDATIONS"]``; see ``DEFAULTS``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sys
import threading
import time
import uuid

import numpy as np
from django.core.cache import cache
from django.utils.translation import gettext

from ecom_ai.adapters import ProductInfo, get_adapter
from ecom_ai.kinds import JobKind
from ecom_ai.recommendations.algorithms import DEFAULT_ALS, RecommenderBundle, fit_bundle, product_text, topk
from ecom_ai.recommendations.config import (  # noqa: F401  (public names)
    ARTIFACT_NAME,
    FEATURE,
    MAX_K,
    PURCHASE_STATUSES,
    RecommendationError,
    conf,
)
from ecom_ai.recommendations.data import DEFAULT_HALF_LIFE_DAYS, InteractionLog, read_csv
from ecom_ai.recommendations.selection import GRID, POPULARITY, evaluate_log, fit_spec, format_report, format_rows, select, spec_label
from ecom_ai.recommendations.ranking import (  # noqa: F401  (public names)
    Recommendation,
    RecommendationList,
    _bought_idx,
    _finalise,
    _language,
    _norm,
    _personal_scores,
    _rank,
    purchased,
    rules_for,
)
from ecom_ai.recommendations.reasons import check_reasons, generate_reasons, reason_facts, write_reasons  # noqa: F401
from ecom_ai.recommendations.sense import category_policies, choose_anchor, held_categories, purchase_history
from ecom_ai.recommendations.rules import ASPECT_ATTRIBUTE, Rules, StatedPreference, parse_preference, parse_price_band
from ecom_ai.storage import artifacts

log = logging.getLogger(__name__)
#: list sources that are not explained by a bought product
NO_ANCHOR_SOURCES = ("popular", "recent_popular", "trending", "pinned", "preference")

# =============================================================================== data and training

def shop_log() -> InteractionLog:
    """The shop's purchases, cart adds and views, through the adapter."""
    return InteractionLog.from_interactions(get_adapter().iter_interactions())


TRAIN_PARAMS = {"half_life_days", "num_threads", "model", "families", "max_users", "seed"}


def _families(value) -> list[str] | None:
    if value in (None, "", []):
        return None
    names = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if str(v).strip()]
    unknown = [n for n in names if n not in GRID]
    if unknown:
        raise ValueError(f"Unknown recommendation model(s) {', '.join(unknown)} (choose from {', '.join(GRID)})")
    return names


def _served_message(sel) -> str:
    """What the selection chose, for staff (the training run's page, the command's output)."""
    served = sel.served_family
    if served in POPULARITY:
        return gettext("Popularity wins on this shop's latest interactions: no personal model beats it clearly "
                       "enough, so %(model)s is served.") % {"model": served}
    return gettext("%(model)s is served: NDCG@10 %(ndcg).4f, %(ratio).2f× recent popularity.") % {
        "model": served, "ndcg": next(r["ndcg@10"] for r in sel.rows if r["served"]), "ratio": sel.ratio}


def train(*, out=None, csv=None, activate: bool = True, **params) -> dict:
    """Choose the model for this shop on its own latest interactions, refit it on everything and store
    the bundle as a new ``recommender`` artefact (active unless told not to), with the selection's report.

    ``params``: ``half_life_days``; ``num_threads``; ``families`` (a comma list of candidates to consider);
    ``max_users`` (validation customers, 4000); ``model=FAMILY`` serves that family without selection
    (ALS's ``factors``, ``regularization``, ``iterations``, ``alpha`` then apply). With ``csv``, trains on
    that file (ids as strings) instead of the shop. ``metrics["candidates"]`` holds the report rows.
    """
    out = out or sys.stdout
    started = time.perf_counter()
    unknown = set(params) - set(DEFAULT_ALS) - TRAIN_PARAMS
    if unknown:
        raise ValueError(f"Unknown recommender parameter(s): {', '.join(sorted(unknown))}")
    forced = params.get("model")
    if forced is not None and forced not in GRID:
        raise ValueError(f"Unknown recommendation model {forced!r} (choose from {', '.join(GRID)})")
    families = _families(params.get("families"))
    catalogue = [] if csv else list(get_adapter().iter_products())
    data = read_csv(csv) if csv else shop_log()
    if not len(data) and not catalogue:
        raise ValueError("Nothing to train on: the shop has no products and no interactions yet.")
    half_life = float(params.get("half_life_days", conf("HALF_LIFE_DAYS")))
    threads = params.get("num_threads")
    rows: list[dict] = []
    if forced:
        spec = {"family": forced, "params": {**GRID[forced][0], **{k: params[k] for k in DEFAULT_ALS if k in params}}}
        message = gettext("%(model)s is served as asked (no selection).") % {"model": forced}
    else:
        try:
            sel = select(data, extra_items=[p.id for p in catalogue], half_life_days=half_life, families=families,
                         max_users=int(params.get("max_users", 4000)), seed=int(params.get("seed", 0)),
                         num_threads=threads)
            spec, message, rows = sel.served, _served_message(sel), sel.rows
        except ValueError as exc:
            spec, message = None, gettext("Too little history to compare models (%(why)s); serving co-purchase and "
                                          "content.") % {"why": exc}
    select_s = time.perf_counter() - started
    bundle = fit_bundle(data, catalogue=catalogue, half_life_days=half_life,
                        fit_model=(lambda d: fit_spec(spec, d, num_threads=threads)) if spec else None)
    bundle.report = rows
    fit_s = time.perf_counter() - started
    served = spec_label(spec) if spec else "none"
    meta = {**bundle.params, "source": f"csv:{csv}" if csv else "shop", "fit_seconds": round(fit_s, 2),
            "served": served, "spec": spec, "message": message, "candidates": rows}
    version = artifacts.save(ARTIFACT_NAME, bundle, meta, activate=activate)
    metrics = {"version": version, "active": activate, "users": len(bundle.users), "items": len(bundle.items),
               "interactions": len(data), "model": spec["family"] if spec else "none", "served": served,
               "selection_seconds": round(select_s, 2), "fit_seconds": round(fit_s, 2), "message": message,
               "candidates": rows}
    if rows:
        out.write(format_rows(rows, title=f"Model selection on the latest interactions (NDCG@10 on "
                                          f"{sel.users_validated} customers who chose nothing):") + "\n")
    out.write(f"{message}\nrecommender {version}: {metrics['users']} customers × {metrics['items']} products from "
              f"{metrics['interactions']} interactions in {fit_s:.1f}s{' (active)' if activate else ''}\n")
    return metrics


_fallback_lock = threading.Lock()
_fallback: dict = {}


def current_model() -> tuple[RecommenderBundle, str]:
    """The active artefact (reloaded when a new version is activated), or, before any training, a
    model-free bundle (popularity, co-purchase, content) rebuilt at most every ten minutes."""
    try:
        art = artifacts.load_active(ARTIFACT_NAME)
        if isinstance(art.obj, RecommenderBundle) and "model" in vars(art.obj):
            return art.obj, art.version
        # not a bundle, or one trained before per-shop selection (retrain it: ecom_ai train recommender)
        log.warning("The active recommender artefact %s is not a current RecommenderBundle; using the fallback",
                    art.version)
    except artifacts.NoArtifact:
        pass
    with _fallback_lock:
        if _fallback.get("bundle") is None or time.monotonic() - _fallback["at"] > 600:
            bundle = fit_bundle(shop_log(), catalogue=list(get_adapter().iter_products()),
                                half_life_days=float(conf("HALF_LIFE_DAYS")))
            _fallback.update(bundle=bundle, at=time.monotonic())
        return _fallback["bundle"], "untrained"


_catalogue_lock = threading.Lock()
_catalogue: dict = {}


def active_catalogue() -> dict[int, ProductInfo]:
    """Active products by id: a per-process snapshot, refreshed every ``CATALOGUE_TTL`` seconds
    (stock is confirmed again for the final picks)."""
    with _catalogue_lock:
        if _catalogue.get("products") is None or time.monotonic() - _catalogue["at"] > conf("CATALOGUE_TTL"):
            _catalogue.update(products={p.id: p for p in get_adapter().iter_products(only_active=True)}, at=time.monotonic())
        return _catalogue["products"]


def clear_caches() -> None:
    """Forget process-level snapshots (tests; after a bulk catalogue change)."""
    with _catalogue_lock:
        _catalogue.clear()
    with _fallback_lock:
        _fallback.clear()



def recommend(customer_id, *, k: int = 10, query: str | None = None, category: str | None = None,
              price_band=None, with_reasons: bool = True, rules: tuple[list[int], set[int]] | None = None,
              model: tuple[RecommenderBundle, str] | None = None) -> RecommendationList:
    """Ranked products for one customer, after the business rules, with a checked reason each.

    ``query`` is the customer's own words ("我喜欢运动，推荐一款适合我的手机。"): the category it names
    and the aspects it asks for (waterproof, long battery, rugged, lightweight, camera) steer the
    list. Fallbacks, never an exception for bad data: no history -> popular (or the query's
    content match); everything filtered out -> popular without the category / price band; an
    empty catalogue -> an empty list with a message. Raises RecommendationError for bad arguments.

    ``rules``: ``rules_for(category=…)``'s (pinned, blocked) for the category the list ends up in,
    when the caller already has them (a job over many customers, no query or category); ``model``:
    ``current_model()``'s (bundle, version) when the caller already read it.
    """
    try:
        k = int(k)
    except (TypeError, ValueError) as exc:
        raise RecommendationError("k must be a whole number.") from exc
    if not 1 <= k <= MAX_K:
        raise RecommendationError(f"k must be between 1 and {MAX_K}.")
    band = parse_price_band(price_band)
    catalogue = active_catalogue()
    # the category names matter only to check a category asked for and to read one named in the query
    categories = list(get_adapter().categories()) if catalogue and (query or category) else []
    if category and category not in categories:
        raise RecommendationError(f"Unknown category {category!r}.")
    pref = parse_preference(query, categories)
    chosen_category = category or pref.category
    bundle, version = model or current_model()
    lst = RecommendationList(customer_id=customer_id, model_version=version, items=[], source="empty",
                             query={"q": pref.text, "category": chosen_category or "", "aspects": list(pref.aspects),
                                    "price_band": [str(x) if x is not None else None for x in band] if band else None},
                             language=_language(query))
    if not catalogue:
        lst.message = "The catalogue has no active products to recommend."
        return lst
    history = purchase_history(customer_id) if customer_id is not None else []
    bought = purchased(customer_id, history)
    policies = category_policies()
    held = held_categories(history, get_adapter().get_products(list(bought)), policies) if bought else set()
    bought_idx = _bought_idx(bundle, bought)
    pinned, blocked = rules if rules is not None else rules_for(category=chosen_category)
    rules = Rules(pinned=pinned, blocked=blocked, bought=set(bought), category=chosen_category, price_band=band,
                  max_per_category=int(conf("MAX_PER_CATEGORY")), held=held)

    personal, sources, profile = (_personal_scores(bundle, customer_id, bought_idx) if customer_id is not None
                                  else (None, None, None))
    ranked = _rank(bundle, catalogue, rules, personal, sources, pref, profile)
    picked = _finalise(ranked, rules, k)
    lst.source = "personal" if personal is not None else ("content" if pref and not pref.aspects and pref.text else "popular")
    if not picked and (rules.category or rules.price_band):
        relaxed = Rules(pinned=pinned, blocked=blocked, bought=set(bought), max_per_category=rules.max_per_category,
                        held=held)
        picked = _finalise(_rank(bundle, catalogue, relaxed, None, None, StatedPreference()), relaxed, k)
        lst.source = "popular"
        lst.message = "Nothing matched the category or price band asked for; showing popular products instead."
    if not picked:
        lst.source = "empty"
        lst.message = lst.message or "No product passes the shop's rules (in stock, not bought yet, not blocked)."
        return lst
    aspect_keys = [ASPECT_ATTRIBUTE[a] for a in pref.aspects]
    for pid, score, source in picked:
        p = catalogue.get(pid)
        idx = bundle.items.get(pid)
        anchor = (choose_anchor(bundle, idx, bought_idx, catalogue.get, policies)
                  if idx is not None and source not in NO_ANCHOR_SOURCES else None)
        lst.items.append(Recommendation(product=p, score=score, source=source, anchor=anchor,
                                        facts=reason_facts(p, anchor, aspect_keys, lst.language)))
    if with_reasons:
        write_reasons([lst])
    return lst


# =============================================================================== product lists

def _product_or_404(product_id) -> ProductInfo:
    try:
        pid = int(product_id)
    except (TypeError, ValueError) as exc:
        raise LookupError(f"No product {product_id!r}") from exc
    p = get_adapter().get_products([pid]).get(pid)
    if p is None:
        raise LookupError(f"No product {product_id!r}")
    return p


def _list_length(k) -> int:
    return max(1, min(int(k), MAX_K))


def similar_products(product_id, *, k: int = 10, model: tuple[RecommenderBundle, str] | None = None) -> RecommendationList:
    """Products like this one: content (TF-IDF cosine) blended with ALS item similarity.
    ``model``: ``current_model()``'s (bundle, version) when the caller already read it."""
    p = _product_or_404(product_id)
    k = _list_length(k)
    bundle, version = model or current_model()
    return _similar(p, bundle, version, active_catalogue(), k)


def _similar(p: ProductInfo, bundle: RecommenderBundle, version: str, catalogue: dict[int, ProductInfo],
             k: int) -> RecommendationList:
    idx = bundle.items.get(p.id)
    n = bundle.n_items
    score = np.zeros(n, dtype=np.float32)
    if bundle.content is not None and bundle.content.vectorizer is not None:
        v = bundle.content.matrix[idx] if idx is not None else bundle.content.transform([product_text(p)])
        score += _norm(bundle.content.scores_for_vector(v))
    sims = bundle.model.similar(idx) if bundle.model is not None and idx is not None else None
    if sims is not None:
        score += _norm(np.asarray(sims, dtype=np.float32))
    _, blocked = rules_for(category=p.category)
    rules = Rules(blocked=blocked, exclude={p.id}, category=None, max_per_category=k)
    ranked = [(int(bundle.items.ids[i]), float(score[i]), "similar") for i in topk(score, 10 * k)
              if int(bundle.items.ids[i]) in catalogue] if score.any() else []
    items = [Recommendation(product=catalogue[pid], score=s, source=src) for pid, s, src in _finalise(ranked, rules, k)]
    return RecommendationList(customer_id=None, model_version=version, items=items, source="similar",
                              message="" if items else "No similar product in stock.")


def bought_together(product_id, *, k: int = 10, model: tuple[RecommenderBundle, str] | None = None) -> RecommendationList:
    """Products bought in the same orders as this one (co-occurrence); similar products when none.
    ``model``: ``current_model()``'s (bundle, version) when the caller already read it."""
    p = _product_or_404(product_id)
    k = _list_length(k)
    bundle, version = model or current_model()
    catalogue = active_catalogue()
    idx = bundle.items.get(p.id)
    related = bundle.cooc.related(idx, 10 * k) if idx is not None else []
    _, blocked = rules_for(category=None)
    rules = Rules(blocked=blocked, exclude={p.id}, max_per_category=k)
    ranked = [(int(bundle.items.ids[i]), s, "bought_together") for i, s in related if int(bundle.items.ids[i]) in catalogue]
    picked = _finalise(ranked, rules, k)
    if not picked:
        lst = _similar(p, bundle, version, catalogue, k)
        lst.source, lst.message = "similar", "Not bought together with other products yet; showing similar products."
        return lst
    items = [Recommendation(product=catalogue[pid], score=s, source=src) for pid, s, src in picked]
    return RecommendationList(customer_id=None, model_version=version, items=items, source="bought_together")


# =============================================================================== stored sets, API, jobs

def save_set(customer_id: int, lst: RecommendationList, *, job=None, user_id=None):
    """Write (or replace) the customer's RecommendationSet; any failed reason marks it for review."""
    from ecom_ai.recommendations.models import RecommendationSet

    failed = [r for r in lst.items if not r.reason_ok]
    notes = "\n".join(f"{r.product.id}: {'; '.join(r.check_reasons) or 'no reason'}" for r in failed)
    obj, _ = RecommendationSet.objects.update_or_create(
        customer_id=int(customer_id),
        defaults={"user_id": user_id, "items": [
            {"product_id": r.product.id, "score": round(float(r.score), 4), "reason": r.reason, "source": r.source,
             "reason_ok": r.reason_ok} for r in lst.items],
            "model_version": lst.model_version, "request_id": uuid.UUID(lst.request_id),
            "status": RecommendationSet.Status.NEEDS_REVIEW if failed else RecommendationSet.Status.OK,
            "review_notes": notes or lst.message, "params": lst.query, "job": job},
    )
    return obj


def compute_and_save(customer_id: int, *, k: int | None = None, job=None):
    """Recommend for one customer and store the set (what the job does per customer)."""
    customer = get_adapter().get_customer(customer_id)
    if customer is None:
        raise LookupError(f"No customer {customer_id}")
    lst = recommend(customer.id, k=k or int(conf("K")))
    return save_set(customer.id, lst, job=job, user_id=customer.user_id)


def _stored(customer_id: int, version: str, k: int) -> RecommendationList | None:
    from django.utils import timezone

    from ecom_ai.recommendations.models import RecommendationSet

    s = RecommendationSet.objects.filter(customer_id=customer_id, model_version=version).first()
    if s is None or (timezone.now() - s.created_at).total_seconds() > conf("STORED_MAX_AGE"):
        return None
    fresh = get_adapter().get_products([it["product_id"] for it in s.items])
    _, blocked = rules_for()
    history = purchase_history(customer_id)
    bought = purchased(customer_id, history)
    held = held_categories(history, get_adapter().get_products(list(bought)), category_policies()) if bought else set()
    rules = Rules(blocked=blocked, bought=set(bought), held=held)
    items = [Recommendation(product=fresh[it["product_id"]], score=it["score"], source=it["source"], reason=it["reason"],
                            reason_ok=bool(it.get("reason_ok")))
             for it in s.items if rules.allows(fresh.get(it["product_id"]))]
    if len(items) < k:
        return None
    return RecommendationList(customer_id=customer_id, model_version=version, items=items[:k], source="stored")


def recommendations_for_user(user, *, k: int = 10, query: str | None = None, category: str | None = None,
                             price_band=None) -> dict:
    """The API's answer for the requesting user's own customer; cached briefly. Raises LookupError
    when the user has no customer profile, RecommendationError for bad parameters."""
    customer = get_adapter().customer_for_user(user)
    if customer is None:
        raise LookupError("This account has no customer profile in the shop, so there is nothing to personalise.")
    band = parse_price_band(price_band)
    model = current_model()
    version = model[1]
    params = {"k": int(k), "q": (query or "").strip(), "category": category or "",
              "band": [str(x) for x in band] if band else None}
    digest = hashlib.sha1(json.dumps(params, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
    key = f"ecom_ai:rec:{customer.id}:{version}:{digest}"
    payload = cache.get(key)
    cached = payload is not None
    if payload is None:
        lst = None
        if not params["q"] and not category and not band:
            lst = _stored(customer.id, version, int(k))
        lst = lst or recommend(customer.id, k=k, query=query, category=category, price_band=band, model=model)
        payload = lst.as_dict(public=True)
        cache.set(key, payload, conf("CACHE_TTL"))
    return _served(payload, cached, kind="personal", customer_id=customer.id)


def _served(payload: dict, cached: bool, *, kind: str, customer_id=None, product_id=None) -> dict:
    """The answer under a request id of its own, stored with what was shown, so the impact events a frontend
    posts with that id are attributed to this list (its customer, model version and products)."""
    from ecom_ai.recommendations.models import ServedList

    request_id = uuid.uuid4()
    ServedList.objects.create(request_id=request_id, kind=kind, customer_id=customer_id, product_id=product_id,
                              model_version=str(payload.get("model_version") or "")[:64],
                              product_ids=[int(it["product_id"]) for it in payload.get("items") or []])
    return {**payload, "request_id": str(request_id), "cached": cached}


def prune_served(*, now=None) -> int:
    """Delete served lists older than ``SERVED_KEEP_DAYS``; returns how many went."""
    from datetime import timedelta

    from django.utils import timezone

    from ecom_ai.recommendations.models import ServedList

    cutoff = (now or timezone.now()) - timedelta(days=int(conf("SERVED_KEEP_DAYS")))
    return ServedList.objects.filter(served_at__lt=cutoff).delete()[0]


def product_list(kind: str, product_id, *, k: int = 10) -> dict:
    fn = similar_products if kind == "similar" else bought_together
    model = current_model()
    key = f"ecom_ai:rec:{kind}:{product_id}:{k}:{model[1]}"
    payload = cache.get(key)
    cached = payload is not None
    if payload is None:
        payload = fn(product_id, k=k, model=model).as_dict(public=True)
        cache.set(key, payload, conf("CACHE_TTL"))
    return _served(payload, cached, kind=kind, product_id=int(product_id))


def recompute_all(*, retrain: bool = True, user=None, dispatch: bool = True):
    """Retrain (optional), then start one recommendations job over every customer of the shop."""
    from django.apps import apps

    from ecom_ai.jobs.engine import JobError, start_job

    if retrain:
        try:
            train(out=_NullOut())
        except ValueError as exc:  # an empty shop: nothing to learn from yet
            log.info("recommender not retrained: %s", exc)
    model = apps.get_model(get_adapter().customer_model)
    try:
        return start_job(JobKind.RECOMMENDATIONS, model._default_manager.all(), user=user, dispatch=dispatch)
    except JobError:  # no customers yet
        return None


class _NullOut:
    def write(self, *_):
        pass


# =============================================================================== evaluation

def evaluate(*, out=None, csv=None, model=None, limit=None, seed=0, **params) -> dict:
    """Temporal hold-out on the shop's interactions (or a CSV): the last 20% of time is the future.

    Without ``model``, the per-shop selection runs on the past alone (as ``train`` does), then every
    candidate, the blend and the references (recent popularity, EASE λ=300, ALS) are refitted on the
    past and scored on the future; ``model`` names the one it would serve. ``model=FAMILY`` (als, ease,
    popular…) or a stored recommender version evaluates that one alone. Writes a table to ``out``;
    returns flat figures (``<model>.ndcg@10``…).
    """
    out = out or sys.stdout
    spec = None
    if model and model not in GRID:
        try:
            meta = artifacts.read_meta(ARTIFACT_NAME, model)
        except FileNotFoundError as exc:
            raise LookupError(f"No recommender model {model!r} (use one of {', '.join(GRID)} or a stored version)") from exc
        spec = meta.get("spec")
        if not spec:
            raise LookupError(f"The stored recommender {model!r} serves no personal model to evaluate.")
        params = {"half_life_days": meta.get("half_life_days", DEFAULT_HALF_LIFE_DAYS), **params}
    elif model:
        extra_params = {k: v for k, v in params.items() if k in DEFAULT_ALS}
        spec = {"family": model, "params": {**GRID[model][0], **extra_params}}
    if csv:
        data, extra = read_csv(csv), ()
    else:
        data = shop_log()
        extra = [p.id for p in get_adapter().iter_products()]
    if not len(data):
        raise ValueError("No interactions to evaluate on.")
    report = evaluate_log(data, spec=spec, limit=limit, seed=seed, extra_items=extra,
                          half_life_days=float(params.get("half_life_days", conf("HALF_LIFE_DAYS"))),
                          num_threads=params.get("num_threads"))
    out.write(format_report(report) + "\n")
    skipped = getattr(data, "skipped", 0)
    if skipped:
        out.write(f"({skipped} unreadable CSV rows skipped)\n")
    flat = {"model": report["model"], "served": report["results"][report["model"]]["settings"],
            "users_evaluated": report["users_evaluated"]}
    for key in ("ndcg_ratio", "ratio_vs_recent_popular", "ratio_vs_best_reference"):
        flat[key] = round(report[key], 3)
    for m, figures in report["results"].items():
        for key, value in figures.items():
            if key != "served":
                flat[f"{m}.{key}"] = round(float(value), 4) if isinstance(value, (float, np.floating)) else value
    flat["candidates"] = report["selection"]
    if report["message"]:
        flat["message"] = report["message"]
    return flat


__all__ = ["train", "evaluate", "recommend", "similar_products", "bought_together", "recommendations_for_user",
           "product_list", "compute_and_save", "save_set", "write_reasons", "generate_reasons", "check_reasons", "reason_facts", "recompute_all",
           "current_model", "clear_caches", "RecommendationError", "Recommendation", "RecommendationList"]
