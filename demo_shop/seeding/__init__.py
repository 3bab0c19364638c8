"""Seed data and helpers for the demo shop (``manage.py seed_demo``)."""
