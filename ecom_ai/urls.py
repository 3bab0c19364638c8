"""URLs of ecom_ai's REST API; include under e.g. ``path("api/ecom-ai/", include("ecom_ai.urls"))``."""
import re

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework import routers

from ecom_ai.campaigns import api as campaigns
from ecom_ai.feedback import api as feedback
from ecom_ai.impact import api as impact
from ecom_ai.inquiries import api as inquiries
from ecom_ai.recommendations import api as recommendations
from ecom_ai.jobs import api as jobs

app_name = "ecom_ai_api"

_feature_paths = [*inquiries.urlpatterns, *recommendations.urlpatterns, *campaigns.urlpatterns, *feedback.urlpatterns,
                  *impact.urlpatterns]


class APIRootView(routers.APIRootView):
    """Every route of ecom_ai's API. In a path, {product_id} stands for a product's id."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        root = request.build_absolute_uri(request.path)
        for route in _feature_paths:
            response.data.setdefault(route.name, root + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(route.pattern)))
        response.data.setdefault("schema", root + "schema/")
        return response


class Router(routers.DefaultRouter):
    APIRootView = APIRootView


router = Router()
router.register("jobs", jobs.AIJobViewSet, basename="job")
for feature in (inquiries, recommendations, campaigns, feedback):
    router.registry.extend(feature.router.registry)

urlpatterns = [
    path("", include(router.urls)),
    *_feature_paths,
    path("schema/", SpectacularAPIView.as_view(custom_settings={"POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums", "ecom_ai.api.schema.add_error_responses"]}),
        name="schema"),
]
