"""Facts as stored JSON, and how the values that go into facts are written (numbers, local times).

A stored fact is ``{"key", "value", "source", "label"}``: reply drafts, approved replies and
campaign copies keep the facts they were checked against in that shape.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from ecom_ai.llm.base import Fact


def facts_to_json(facts) -> list[dict]:
    """Facts as JSON rows, ``{"key", "value", "source", "label"}`` each."""
    return [{"key": f.key, "value": f.value, "source": f.source, "label": f.label} for f in facts]


def facts_from_json(rows) -> list[Fact]:
    """Facts back from JSON rows (a missing source or label reads as "")."""
    return [Fact(r["key"], r["value"], r.get("source", ""), r.get("label", "")) for r in rows or ()]


def format_number(value: Decimal | int | str | None) -> str:
    """99.00 → "99", 99.50 → "99.5", 100 → "100" (never an exponent): how a number is written in facts and copy."""
    if value is None:
        return ""
    d = Decimal(str(value)).normalize()
    return f"{d:f}"


def format_local(dt: datetime, *, time: bool = True) -> str:
    """``dt`` in the shop's time zone (a naive one as it is): "2024-05-01 10:00", or "2024-05-01" without ``time``."""
    local = timezone.localtime(dt) if timezone.is_aware(dt) else dt
    return f"{local:%Y-%m-%d %H:%M}" if time else local.date().isoformat()


__all__ = ["facts_to_json", "facts_from_json", "format_number", "format_local"]
