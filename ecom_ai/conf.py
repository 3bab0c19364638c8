"""ecom_ai's settings: one ``ECOM_AI`` dict in Django settings, read through ``ecom_ai_settings``.

Defaults live here and only here. The cache is dropped on ``setting_changed`` so
``override_settings(ECOM_AI=...)`` works in tests.
"""
from __future__ import annotations

from copy import deepcopy

from django.conf import settings
from django.core.signals import setting_changed

DEFAULTS = {
    "SHOP_ADAPTER": "demo_shop.adapter.DemoShopAdapter",
    # Same shape as CACHES: alias -> {"BACKEND": dotted path, "OPTIONS": {...}}
    "BACKENDS": {
        "default": {"BACKEND": "ecom_ai.llm.grounded.GroundedBackend", "OPTIONS": {}},
    },
    # feature -> backend alias
    "FEATURES": {
        "inquiry_reply": "default",
        "recommendation_reason": "default",
        "promo_copy": "default",
        "feedback_summary": "default",
    },
    # job kind -> pipeline class (collect -> ground -> generate -> verify -> save)
    "PIPELINES": {
        "inquiry_reply": "ecom_ai.inquiries.pipeline.InquiryReplyPipeline",
        "recommendations": "ecom_ai.recommendations.pipeline.RecommendationPipeline",
        "campaign_rules": "ecom_ai.campaigns.pipeline.CampaignRulesPipeline",
        "campaign_copy": "ecom_ai.campaigns.pipeline.CampaignCopyPipeline",
        "feedback_summary": "ecom_ai.feedback.pipeline.FeedbackSummaryPipeline",
    },
    "CHUNK_SIZE": 50,                 # items per Celery task
    "MAX_ITEM_ATTEMPTS": 3,           # an item whose worker died this often is failed
    "TASK_MAX_RETRIES": 3,            # retries for transient errors (DB/broker), with backoff
    "CHUNK_TIME_LIMIT": 900,          # seconds a chunk may run before it is stopped and retried (a hung model)
    # seconds without progress after which an active job is marked stalled and its items queued again
    # once; a running item counts as stuck only past CHUNK_TIME_LIMIT + 60 s (its hard limit), if longer
    "STALL_TIMEOUT": 300,
    "DEFAULT_TOKEN_BUDGET": None,     # tokens per job; None: unlimited
    "ARTIFACT_DIR": "var/artifacts",
    "PII_FILTER": None,               # None: on for backends off the machine, off for local ones
    "MAX_INPUT_CHARS": 4000,
    "QUEUE": None,                    # Celery queue for ecom_ai tasks; None: the default queue
    "RECOMMENDATIONS": {},            # see ecom_ai.recommendations.services (TTL, diversity, half-life...)
    "CAMPAIGN_LIMITS": {},            # see ecom_ai.campaigns.services.DEFAULT_LIMITS (margin floor, max discount...)
}

_DICT_KEYS = ("BACKENDS", "FEATURES", "PIPELINES", "RECOMMENDATIONS", "CAMPAIGN_LIMITS")


class EcomAISettings:
    """Attribute access to ECOM_AI with defaults; user dicts are merged over default dicts."""

    def __init__(self):
        self._cache = None

    @property
    def user_settings(self) -> dict:
        return getattr(settings, "ECOM_AI", {}) or {}

    def as_dict(self) -> dict:
        if self._cache is None:
            merged = deepcopy(DEFAULTS)
            user = self.user_settings if isinstance(self.user_settings, dict) else {}
            for key, value in user.items():
                if key in _DICT_KEYS and isinstance(value, dict):
                    merged[key] = {**merged[key], **value}
                else:
                    merged[key] = value
            self._cache = merged
        return self._cache

    def __getattr__(self, name):
        if name.startswith("_") or name not in DEFAULTS:
            raise AttributeError(f"Invalid ecom_ai setting: {name!r}")
        return self.as_dict()[name]

    def reload(self):
        self._cache = None


ecom_ai_settings = EcomAISettings()


def _reload(*, setting, **kwargs):
    if setting == "ECOM_AI":
        ecom_ai_settings.reload()
        from ecom_ai import adapters

        adapters._adapter_cache.clear()
        try:
            from ecom_ai.llm import registry
        except ImportError:
            return
        registry.reset()


setting_changed.connect(_reload)
