"""Celery task of the impact feature (``ecom_ai.tasks`` imports it, so the worker registers it).

Beat schedule, e.g. hourly::

    CELERY_BEAT_SCHEDULE = {
        "ecom-ai-attribute-orders": {"task": "ecom_ai.impact.tasks.attribute_orders_task", "schedule": 3600.0},
    }
"""
from __future__ import annotations

from celery import shared_task


@shared_task(name="ecom_ai.impact.tasks.attribute_orders_task")
def attribute_orders_task() -> int:
    """Credit the shop's recent orders to what the customers were shown; returns the order lines credited."""
    from ecom_ai.impact import attribution

    return attribution.attribute_orders()
