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
    "CAMPAIGN_LIMITS": {},            # see ecom_ai.campaigns.limits.DEFAULT_LIMITS (margin floor, max discount...)
    # "Suggest rules" (ecom_ai.campaigns.suggest): how products and numbers are proposed. Shares are 0..1.
    "CAMPAIGN_SUGGESTIONS": {
        "min_room": 0.05,              # a product needs at least this much discount room (margin floor, max discount)
        "flash_depth": 0.8,            # a flash price uses this share of the common discount room
        "group_depth": 0.6,            # a group price uses this share of it
        "flash_stock_share": 0.2,      # a flash sale's stock cap: this share of the smallest stock
        "single_unit_price": 200,      # from this flash price on, one per customer (else two)
        "group_of_three_views": 20,    # groups of 3 for a product with at least this many recent views ...
        "group_of_three_ratio": 3,     # ... and this many views per order; else groups of 2
        "group_fill_hours": 24,        # hours a group has to fill
        "coupon_threshold_lift": 1.2,  # a coupon's threshold: the target customers' average order × this
        "coupon_max_rate": 0.2,        # a coupon takes at most this share off an order at its threshold
        "coupon_basket_items": 3,      # ... and its threshold is at most about this many of its products' average price
        "coupons_min_issued": 100,     # coupons issued: the target segment's size, at least this
        "flash_hours": 24, "group_days": 3, "coupon_days": 7,  # default length of each kind
        "start_hour": 10,              # default start: tomorrow at this hour
        "segment_recent_days": 30,     # RFM: an order this recent is recent ...
        "segment_lapsed_days": 60,     # ... a repeat customer quiet this long is at risk ...
        "segment_hibernating_days": 90,  # ... and anyone quiet this long hibernates
        "segment_loyal_orders": 3,     # orders that make a recent customer a champion
        "themes": {},                  # {key: {"label": ..., "words": [...]}} merged over suggest.DEFAULT_THEMES
    },
    # impact: events, attribution and A/B tests (ecom_ai.impact)
    "IMPACT": {
        "ATTRIBUTION_DAYS": 7,        # an order counts for a product shown or clicked this many days before
        "MAX_BATCH": 500,             # events per POST
        "MAX_EVENT_AGE_DAYS": 30,     # older events are refused
        "FUTURE_SKEW_SECONDS": 300,   # clock difference allowed for events "from the future"
        "EVENTS_RATE": "600/min",     # throttle of POST events/ per user, unless DRF's ecom_ai_events rate is set
        "MIN_PER_ARM": 100,           # default minimum customers per A/B arm before a readout is trusted
    },
    "INQUIRY_TONE": "warm",           # inquiry replies: "warm" (亲 style) or "plain"
    "INQUIRY_GLOSSARY": {},           # extra 中文 -> English terms for English inquiry replies (see inquiries.glossary)
}

_DICT_KEYS = ("BACKENDS", "FEATURES", "PIPELINES", "RECOMMENDATIONS", "CAMPAIGN_LIMITS", "CAMPAIGN_SUGGESTIONS",
              "IMPACT", "INQUIRY_GLOSSARY")


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
    # Modules that cache what they built from these settings (the shop adapter, the backends)
    # connect receivers of their own: conf imports nothing of ecom_ai.
    if setting == "ECOM_AI":
        ecom_ai_settings.reload()


setting_changed.connect(_reload)
