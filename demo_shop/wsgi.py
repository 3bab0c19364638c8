"""WSGI entry point of the demo shop (gunicorn demo_shop.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_shop.settings")
application = get_wsgi_application()
