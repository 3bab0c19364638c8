"""API of the recommendations feature: serializers, views and its routes (registered in api/urls.py)."""
from rest_framework.routers import SimpleRouter

router = SimpleRouter()
urlpatterns: list = []
