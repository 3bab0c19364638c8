"""API of the feedback feature: a product's latest feedback summary for the product page, and a read-only list."""
from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from ecom_ai.feedback.models import FeedbackAspect, FeedbackSummary
from ecom_ai.feedback import services as service


class FeedbackSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = FeedbackSummary
        fields = ["id", "scope", "product_id", "product_name", "category", "language", "status", "text",
                  "review_count", "distinct_count", "duplicate_count", "flagged_count", "positive_count",
                  "negative_count", "neutral_count", "themes", "actions", "trend", "created_at"]
        read_only_fields = fields


class FeedbackAspectSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeedbackAspect
        fields = ["slug", "name", "name_en", "team", "synonyms", "action", "enabled", "updated_at"]
        read_only_fields = fields


class _CanViewAspects(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user.is_staff and request.user.has_perm("ecom_ai.view_feedbackaspect"))


class FeedbackAspectViewSet(viewsets.ReadOnlyModelViewSet):
    """The shop's aspects and the team each one's improvement actions go to (staff with the view permission)."""

    serializer_class = FeedbackAspectSerializer
    permission_classes = [permissions.IsAuthenticated, _CanViewAspects]
    queryset = FeedbackAspect.objects.order_by("slug")
    lookup_field = "slug"


def _is_staff(user) -> bool:
    return bool(user.is_staff and user.has_perm("ecom_ai.view_feedbacksummary"))


def _language(request):
    language = request.query_params.get("language")
    if language not in (None, "", "zh", "en"):
        raise ValidationError({"language": "language must be zh or en"})
    return language or None


class FeedbackSummaryViewSet(viewsets.ReadOnlyModelViewSet):
    """Feedback summaries: good ones for any signed-in user; staff with the view permission also
    see those that need review. Filters: ``?product=ID``, ``?category=NAME``, ``?scope=``, ``?language=``."""

    serializer_class = FeedbackSummarySerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        qs = FeedbackSummary.objects.all()
        if not _is_staff(self.request.user):
            qs = qs.filter(status=FeedbackSummary.Status.GOOD)
        params = self.request.query_params
        if params.get("product"):
            try:
                qs = qs.filter(product_id=int(params["product"]))
            except ValueError:
                raise ValidationError({"product": "product must be an integer id"})
        if params.get("category"):
            qs = qs.filter(category=params["category"])
        if params.get("scope"):
            if params["scope"] not in FeedbackSummary.Scope.values:
                raise ValidationError({"scope": f"scope must be one of {', '.join(FeedbackSummary.Scope.values)}"})
            qs = qs.filter(scope=params["scope"])
        language = _language(self.request)
        if language:
            qs = qs.filter(language=language)
        return qs.order_by("-created_at", "-id")


class ProductFeedbackView(APIView):
    """GET the latest good feedback summary of a product (staff also see one that needs review); 404 if none."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=FeedbackSummarySerializer)
    def get(self, request, product_id: int):
        summary = service.latest_summary(product_id, include_needs_review=_is_staff(request.user),
                                         language=_language(request))
        if summary is None:
            raise Http404("No feedback summary for this product yet.")
        return Response(FeedbackSummarySerializer(summary).data)


router = SimpleRouter()
router.register("feedback-summaries", FeedbackSummaryViewSet, basename="feedback-summary")
router.register("feedback-aspects", FeedbackAspectViewSet, basename="feedback-aspect")
urlpatterns: list = [
    path("products/<int:product_id>/feedback/", ProductFeedbackView.as_view(), name="product-feedback"),
]
