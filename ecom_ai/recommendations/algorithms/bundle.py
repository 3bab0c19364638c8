"""The bundle stored as the ``recommender`` artefact: indexes, models and the training matrix."""
from __future__ import annotations

from dataclasses import dataclass, field

import scipy.sparse as sp

from ecom_ai.recommendations.algorithms.content import ContentIndex, product_text
from ecom_ai.recommendations.algorithms.factorization import ALS, DEFAULT_ALS
from ecom_ai.recommendations.algorithms.neighbours import CoPurchase
from ecom_ai.recommendations.algorithms.popularity import Popularity
from ecom_ai.recommendations.data import DEFAULT_HALF_LIFE_DAYS, Index, InteractionLog, basket_matrix, user_item_matrix


@dataclass
class RecommenderBundle:
    """Everything a worker needs to recommend: indexes, models and the training matrix."""

    users: Index
    items: Index
    user_items: sp.csr_matrix
    popularity: Popularity
    als: ALS | None
    cooc: CoPurchase
    content: ContentIndex | None
    params: dict = field(default_factory=dict)

    @property
    def n_items(self) -> int:
        return len(self.items)


def fit_bundle(log: InteractionLog, *, catalogue: list | None = None, half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
               als_params: dict | None = None, use_als: bool = True, num_threads: int | None = None,
               now: float | None = None) -> RecommenderBundle:
    """Fit every model on ``log``; ``catalogue`` (ProductInfo rows) adds items nobody touched yet
    and the text the content model reads."""
    catalogue = list(catalogue or [])
    items = Index([p.id for p in catalogue] + log.items.tolist())
    users = Index(log.users.tolist())
    ui = user_item_matrix(log, users, items, half_life_days=half_life_days, now=now)
    pop = Popularity().fit(ui)
    als = None
    if use_als and ui.nnz:
        als = ALS(**{**DEFAULT_ALS, **(als_params or {})}, num_threads=num_threads).fit(ui)
    cooc = CoPurchase().fit(basket_matrix(log, items))
    content = None
    if catalogue:
        by_id = {p.id: p for p in catalogue}
        texts = [product_text(by_id[i]) if i in by_id else "" for i in items.ids.tolist()]
        content = ContentIndex().fit(texts)
    return RecommenderBundle(users=users, items=items, user_items=ui, popularity=pop, als=als, cooc=cooc, content=content,
                             params={"half_life_days": half_life_days, "als": als.params if als else None,
                                     "n_users": len(users), "n_items": len(items), "n_interactions": int(len(log))})
