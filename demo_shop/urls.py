"""URLs of the demo shop: the admin and ecom_ai's API."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/ecom-ai/", include("ecom_ai.urls")),
]
