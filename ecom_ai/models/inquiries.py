"""Models of the inquiries feature."""
from __future__ import annotations

__all__: list[str] = []
