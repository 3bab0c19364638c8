"""Models of the feedback feature."""
from __future__ import annotations

__all__: list[str] = []
