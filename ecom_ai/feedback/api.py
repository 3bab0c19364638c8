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

from ecom_ai.feedback.models import FeedbackSummary
from ecom_ai.feedback import services as service


class FeedbackSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = FeedbackSummary
        fields = ["id", "scope", "product_id", "product_name", "category", "language", "status", "text",
                  "review_count", "distinct_count", "duplicate_count", "flagged_count", "positive_count",
                  "negative_count", "neutral_count", "themes", "actions", "trend", "created_at"]
        read_only_fields = fields


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
urlpatterns: list = [
    path("products/<int:product_id>/feedback/", ProductFeedbackView.as_view(), name="product-feedback"),
]
