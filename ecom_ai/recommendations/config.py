"""Settings and shared names of the recommendations feature (``ECOM_AI["RECOMMENDATIONS"]``)."""
from __future__ import annotations

from ecom_ai.conf import ecom_ai_settings
from ecom_ai.kinds import Feature
from ecom_ai.recommendations.data import DEFAULT_HALF_LIFE_DAYS

ARTIFACT_NAME = "recommender"
FEATURE = Feature.RECOMMENDATION_REASON
PURCHASE_STATUSES = ("paid", "shipped", "delivered", "completed", "refunded")
MAX_K = 50

DEFAULTS = {
    "CACHE_TTL": 60,               # seconds an API answer is cached (per customer, parameters, model version)
    "CATALOGUE_TTL": 60,           # seconds a process keeps its snapshot of the active catalogue
    "MAX_PER_CATEGORY": 3,         # diversity: at most this many per category unless one is asked for
    "K": 10,                       # list length the job stores
    "STORED_MAX_AGE": 86400,       # a stored set younger than this is served while its model is active
    "HALF_LIFE_DAYS": DEFAULT_HALF_LIFE_DAYS,
    "REPURCHASE_DAYS": 365,        # a durable category with no CategoryPolicy row is held back this long after a purchase
    "SERVED_KEEP_DAYS": 90,        # days a ServedList (what the API showed, under its request id) is kept
    "PINNED": [],                  # product ids, on top of RecommendationRule rows
    "BLOCKED": [],
}


def conf(name: str):
    user = ecom_ai_settings.user_settings.get("RECOMMENDATIONS") or {}
    return user.get(name, DEFAULTS[name]) if isinstance(user, dict) else DEFAULTS[name]


class RecommendationError(ValueError):
    """Bad input from the caller (clear message for a 400 / CommandError)."""

