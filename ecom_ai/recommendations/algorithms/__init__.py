"""Recommendation models built on well-kept libraries: implicit's ALS, scipy sparse co-occurrence,
scikit-learn TF-IDF, and popularity (the fallback and the baseline).

Every model works on dense item numbers (an :class:`~ecom_ai.recommendations.data.Index`); the
:class:`RecommenderBundle` ties them together with the indexes and is what gets stored as the
versioned ``recommender`` artefact.
"""
from __future__ import annotations

from ecom_ai.recommendations.algorithms.base import topk
from ecom_ai.recommendations.algorithms.bundle import RecommenderBundle, fit_bundle
from ecom_ai.recommendations.algorithms.content import ContentIndex, product_text
from ecom_ai.recommendations.algorithms.factorization import ALS, DEFAULT_ALS
from ecom_ai.recommendations.algorithms.neighbours import CoPurchase
from ecom_ai.recommendations.algorithms.popularity import Popularity

__all__ = ["ALS", "CoPurchase", "ContentIndex", "Popularity", "RecommenderBundle", "fit_bundle", "product_text", "topk", "DEFAULT_ALS"]
