"""Tests of the feedback feature."""
