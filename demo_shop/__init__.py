"""The demo shop: a Django project and an example shop that installs ecom_ai."""
from .celery import app as celery_app

__all__ = ["celery_app"]
