"""Browser tests (issue 9)."""
