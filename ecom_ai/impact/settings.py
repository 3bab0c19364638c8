"""The impact feature's settings (``ECOM_AI["IMPACT"]``), read at call time so tests can override them."""
from __future__ import annotations

from datetime import timedelta

from ecom_ai.conf import DEFAULTS, ecom_ai_settings


def get(name: str):
    value = (ecom_ai_settings.IMPACT or {}).get(name)
    return DEFAULTS["IMPACT"][name] if value is None else value


def attribution_window() -> timedelta:
    return timedelta(days=int(get("ATTRIBUTION_DAYS")))
