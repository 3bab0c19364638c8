"""Substitutes versus complements: what a purchase rules out for a while, which categories are bought
together, and which bought product may explain a pick ("because you bought …").

* After a durable purchase (a phone, a laptop, a water heater) no more of that category for the
  category's ``repurchase_days``, unless the shop marks the category consumable.
* A reason names a bought product only when it is true and sensible: not the product itself, at least
  ``MIN_CO_BUYERS`` customers bought both, and the two share a category or their categories are
  bought together in the shop's orders (a lift over chance); a standalone category (hotel rooms)
  never pairs with another.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np
import scipy.sparse as sp

from ecom_ai.adapters import ProductInfo, get_adapter
from ecom_ai.recommendations.config import PURCHASE_STATUSES, conf

MIN_CO_BUYERS = 2
PAIR_MIN_ORDERS = 3
PAIR_MIN_LIFT = 1.5


@dataclass(frozen=True)
class Policy:
    consumable: bool
    repurchase_days: int
    standalone: bool = False


def category_policies() -> dict[str, Policy]:
    """The shop's CategoryPolicy rows by category."""
    from ecom_ai.recommendations.models import CategoryPolicy

    return {c: Policy(bool(cons), int(days), bool(alone)) for c, cons, days, alone in
            CategoryPolicy.objects.values_list("category", "consumable", "repurchase_days", "standalone")}


def policy_for(p: ProductInfo, policies: dict[str, Policy]) -> Policy:
    """The category's policy; without a row, the product's own ``consumable`` flag and the default window."""
    return policies.get(p.category) or Policy(bool(p.consumable), int(conf("REPURCHASE_DAYS")))


@dataclass(frozen=True)
class Purchase:
    product_id: int
    quantity: float
    at: datetime


def purchase_history(customer_id) -> list[Purchase]:
    """The customer's bought order lines (live, from the adapter), newest orders first."""
    try:
        orders = get_adapter().get_orders(customer_id, limit=100)
    except Exception:  # an unknown id shape: no history
        return []
    return [Purchase(line.product_id, float(line.quantity or 1), order.created_at)
            for order in orders if order.status in PURCHASE_STATUSES for line in order.lines]


def held_categories(history: list[Purchase], products: dict[int, ProductInfo], policies: dict[str, Policy],
                    now: datetime | None = None) -> set[str]:
    """Categories a durable purchase still rules out (bought within the category's repurchase window)."""
    now = now or datetime.now(timezone.utc)
    held = set()
    for line in history:
        p = products.get(line.product_id)
        if p is None or not p.category:
            continue
        pol = policy_for(p, policies)
        at = line.at if line.at.tzinfo else line.at.replace(tzinfo=timezone.utc)
        if not pol.consumable and now - at < timedelta(days=pol.repurchase_days):
            held.add(p.category)
    return held


def category_pairs(baskets: sp.csr_matrix | None, item_categories: list[str]) -> list[tuple[str, str]]:
    """Pairs of different categories bought in the same orders more than chance would have it
    (at least ``PAIR_MIN_ORDERS`` orders and a lift of ``PAIR_MIN_LIFT``)."""
    if baskets is None or not baskets.shape[0] or not item_categories:
        return []
    names = sorted({c for c in item_categories if c})
    if len(names) < 2:
        return []
    pos = {c: i for i, c in enumerate(names)}
    col = np.array([pos.get(c, -1) for c in item_categories])
    ok = col >= 0
    to_cat = sp.csr_matrix((np.ones(int(ok.sum()), dtype=np.float32), (np.flatnonzero(ok), col[ok])),
                           shape=(len(item_categories), len(names)))
    per_order = (baskets @ to_cat).tocsr()
    per_order.data = np.ones_like(per_order.data)
    together = (per_order.T @ per_order).toarray()
    n_orders = float(baskets.shape[0])
    single = np.diag(together)
    out = []
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            n_ab = together[a, b]
            if n_ab >= PAIR_MIN_ORDERS and single[a] and single[b] and n_ab * n_orders / (single[a] * single[b]) >= PAIR_MIN_LIFT:
                out.append((names[a], names[b]))
    return out


def pairs_sensibly(a: ProductInfo, b: ProductInfo, pairs: set, policies: dict[str, Policy]) -> bool:
    """Whether a purchase of ``a`` may explain ``b`` (same category, or categories bought together,
    and neither standalone unless both are in the same category)."""
    if a.id == b.id or (a.name or "").strip() == (b.name or "").strip():
        return False
    if a.category == b.category:
        return True
    if policy_for(a, policies).standalone or policy_for(b, policies).standalone:
        return False
    return (a.category, b.category) in pairs or (b.category, a.category) in pairs


def choose_anchor(bundle, item: int, bought_idx: np.ndarray, catalogue_get, policies: dict[str, Policy]) -> ProductInfo | None:
    """The bought product that truly explains ``item``: most customers bought both (at least
    ``MIN_CO_BUYERS``), and it pairs sensibly with it; None when no bought product does."""
    buyers = getattr(bundle, "buyers", None)
    if not len(bought_idx) or buyers is None or not buyers.nnz:
        return None
    target = catalogue_get(bundle.items.ids[item])
    if target is None:
        return None
    pairs = set(map(tuple, getattr(bundle, "category_pairs", []) or []))
    cols = buyers[:, np.concatenate([[item], bought_idx])]
    co = np.asarray((cols[:, 1:].T @ cols[:, :1]).todense()).ravel()
    for j in np.argsort(-co, kind="stable"):
        if co[j] < MIN_CO_BUYERS:
            break
        anchor = catalogue_get(bundle.items.ids[bought_idx[j]])
        if anchor is not None and pairs_sensibly(anchor, target, pairs, policies):
            return anchor
    return None


__all__ = ["Policy", "Purchase", "category_pairs", "category_policies", "choose_anchor", "held_categories",
           "pairs_sensibly", "policy_for", "purchase_history", "MIN_CO_BUYERS"]
