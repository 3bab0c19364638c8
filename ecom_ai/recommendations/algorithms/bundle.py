"""The bundle stored as the ``recommender`` artefact: indexes, models and the training matrix."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from ecom_ai.recommendations.algorithms.content import ContentIndex, product_text
from ecom_ai.recommendations.algorithms.base import Candidate, TrainSet
from ecom_ai.recommendations.algorithms.neighbours import CoPurchase
from ecom_ai.recommendations.algorithms.popularity import Popularity
from ecom_ai.recommendations.data import DEFAULT_HALF_LIFE_DAYS, Index, InteractionLog, basket_matrix, user_item_matrix


@dataclass
class RecommenderBundle:
    """Everything a worker needs to recommend: indexes, the served model (chosen per shop), popularity
    (the list for customers without history), co-purchase ("bought together"), content and the
    training matrix; ``report`` is the selection's table."""

    users: Index
    items: Index
    user_items: sp.csr_matrix
    popularity: Popularity
    model: Candidate | None
    cooc: CoPurchase
    content: ContentIndex | None
    params: dict = field(default_factory=dict)
    report: list = field(default_factory=list)
    buyers: sp.csc_matrix | None = None        # customers × items, 1 where bought (the truth behind a reason)
    category_pairs: list = field(default_factory=list)   # (category, category) bought together

    @property
    def n_items(self) -> int:
        return len(self.items)


def fit_bundle(log: InteractionLog, *, catalogue: list | None = None, half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
               fit_model=None, now: float | None = None) -> RecommenderBundle:
    """Fit the bundle on ``log``; ``catalogue`` (ProductInfo rows) adds items nobody touched yet and the
    text the content model reads; ``fit_model(data: TrainSet) -> Candidate`` fits the served model
    (none: popularity, co-purchase and content only)."""
    catalogue = list(catalogue or [])
    items = Index([p.id for p in catalogue] + log.items.tolist())
    users = Index(log.users.tolist())
    ui = user_item_matrix(log, users, items, half_life_days=half_life_days, now=now)
    rows, cols = users.lookup(log.users), items.lookup(log.items)
    baskets = basket_matrix(log, items)
    data = TrainSet(ui, rows, cols, log.ts, baskets if baskets.shape[0] else None)
    pop = Popularity().fit(data)
    model = fit_model(data) if fit_model is not None and ui.nnz else None
    cooc = CoPurchase().fit(baskets)
    content = None
    pairs: list = []
    if catalogue:
        from ecom_ai.recommendations.sense import category_pairs

        by_id = {p.id: p for p in catalogue}
        texts = [product_text(by_id[i]) if i in by_id else "" for i in items.ids.tolist()]
        content = ContentIndex().fit(texts)
        pairs = category_pairs(baskets if baskets.shape[0] else None,
                               [by_id[i].category if i in by_id else "" for i in items.ids.tolist()])
    bought = log.purchase
    buyers = sp.csc_matrix((np.ones(int(bought.sum()), dtype=np.float32), (rows[bought], cols[bought])),
                           shape=ui.shape)
    buyers.sum_duplicates()
    buyers.data = np.ones_like(buyers.data)
    return RecommenderBundle(users=users, items=items, user_items=ui, popularity=pop, model=model, cooc=cooc,
                             content=content, params={"half_life_days": half_life_days,
                                                      "model": model.label() if model is not None else None,
                                                      "n_users": len(users), "n_items": len(items),
                                                      "n_interactions": int(len(log))},
                             buyers=buyers, category_pairs=pairs)
