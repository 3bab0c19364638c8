"""Faults tests (issue 9)."""
