"""URLs of ecom_ai's REST API; include under e.g. ``path("api/ecom-ai/", include("ecom_ai.api.urls"))``."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import campaigns, feedback, inquiries, recommendations, views

app_name = "ecom_ai_api"

router = DefaultRouter()
router.register("jobs", views.AIJobViewSet, basename="job")
for feature in (inquiries, recommendations, campaigns, feedback):
    router.registry.extend(feature.router.registry)

urlpatterns = [
    path("", include(router.urls)),
    *inquiries.urlpatterns,
    *recommendations.urlpatterns,
    *campaigns.urlpatterns,
    *feedback.urlpatterns,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
