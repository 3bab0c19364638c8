"""Models of the campaigns feature."""
from __future__ import annotations

__all__: list[str] = []
