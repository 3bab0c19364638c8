"""URLs of ecom_ai's REST API; include under e.g. ``path("api/ecom-ai/", include("ecom_ai.urls"))``."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from ecom_ai.campaigns import api as campaigns
from ecom_ai.feedback import api as feedback
from ecom_ai.inquiries import api as inquiries
from ecom_ai.recommendations import api as recommendations
from ecom_ai.jobs import api as jobs

app_name = "ecom_ai_api"

router = DefaultRouter()
router.register("jobs", jobs.AIJobViewSet, basename="job")
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
