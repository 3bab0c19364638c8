"""Kept so hosts that include ``ecom_ai.api.urls`` go on working; the routes live in :mod:`ecom_ai.urls`."""
from ecom_ai.urls import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
