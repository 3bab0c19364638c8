"""Models of the training feature: tracked runs."""
from __future__ import annotations

__all__: list[str] = []
