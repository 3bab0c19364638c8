"""Kept for hosts that include ``ecom_ai.api.urls``."""
