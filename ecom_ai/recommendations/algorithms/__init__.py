"""Recommendation models built on well-kept libraries: implicit (ALS, BPR, item-kNN), a closed-form
EASE, scipy sparse co-occurrence, scikit-learn TF-IDF, popularity three ways, and a blend of them.

Every model works on dense item numbers (an :class:`~ecom_ai.recommendations.data.Index`); the
:class:`RecommenderBundle` ties them together with the indexes and is what gets stored as the
versioned ``recommender`` artefact.
"""
from __future__ import annotations

from ecom_ai.recommendations.algorithms.base import Candidate, TrainSet, topk
from ecom_ai.recommendations.algorithms.blend import Blend
from ecom_ai.recommendations.algorithms.bundle import RecommenderBundle, fit_bundle
from ecom_ai.recommendations.algorithms.content import ContentIndex, product_text
from ecom_ai.recommendations.algorithms.factorization import ALS, BPR, DEFAULT_ALS, DEFAULT_BPR
from ecom_ai.recommendations.algorithms.neighbours import EASE, CoPurchase, ItemKNN
from ecom_ai.recommendations.algorithms.popularity import Popularity, RecentPopularity, Trending

__all__ = ["ALS", "BPR", "Blend", "Candidate", "CoPurchase", "ContentIndex", "EASE", "ItemKNN", "Popularity",
           "RecentPopularity", "RecommenderBundle", "TrainSet", "Trending", "fit_bundle", "product_text", "topk",
           "DEFAULT_ALS", "DEFAULT_BPR"]
