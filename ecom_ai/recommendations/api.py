"""API of the recommendations feature: the requesting customer's own list (optionally steered by
their words, a category and a price band), and a product's similar / bought-together lists.

Every answer carries a fresh ``request_id`` (uuid) so the frontend can attribute clicks to the list
that was shown. There is no parameter to ask for another customer's list.
"""
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from ecom_ai.recommendations import services as service

router = SimpleRouter()


class RecommendationQuerySerializer(serializers.Serializer):
    k = serializers.IntegerField(min_value=1, max_value=service.MAX_K, default=10)
    q = serializers.CharField(max_length=500, required=False, allow_blank=True, trim_whitespace=True)
    category = serializers.CharField(max_length=100, required=False, allow_blank=True)
    price_min = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    price_max = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)

    def validate(self, attrs):
        lo, hi = attrs.get("price_min"), attrs.get("price_max")
        if lo is not None and hi is not None and lo > hi:
            raise serializers.ValidationError({"price_max": "must not be below price_min"})
        return attrs


class ProductListQuerySerializer(serializers.Serializer):
    k = serializers.IntegerField(min_value=1, max_value=service.MAX_K, default=10)


class RecommendedItemSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    name = serializers.CharField()
    category = serializers.CharField()
    price = serializers.CharField()
    score = serializers.FloatField()
    source = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)


class RecommendationListSerializer(serializers.Serializer):
    request_id = serializers.UUIDField()
    model_version = serializers.CharField()
    source = serializers.CharField()
    message = serializers.CharField(allow_blank=True)
    cached = serializers.BooleanField()
    query = serializers.DictField(required=False)
    items = RecommendedItemSerializer(many=True)


def _error(message: str, code=status.HTTP_400_BAD_REQUEST) -> Response:
    return Response({"detail": message}, status=code)


class MyRecommendationsView(APIView):
    """Recommendations for the signed-in customer. ``q``: their own words, e.g. 我喜欢运动，推荐一款适合我的手机。"""

    @extend_schema(parameters=[RecommendationQuerySerializer], responses=RecommendationListSerializer)
    def get(self, request):
        params = RecommendationQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        band = (d.get("price_min"), d.get("price_max")) if ("price_min" in d or "price_max" in d) else None
        try:
            payload = service.recommendations_for_user(request.user, k=d["k"], query=d.get("q") or None,
                                                       category=d.get("category") or None, price_band=band)
        except service.RecommendationError as exc:
            return _error(str(exc))
        except LookupError as exc:
            return _error(str(exc), status.HTTP_404_NOT_FOUND)
        return Response(RecommendationListSerializer(payload).data)


class _ProductListView(APIView):
    kind = ""

    @extend_schema(parameters=[ProductListQuerySerializer], responses=RecommendationListSerializer)
    def get(self, request, product_id: int):
        params = ProductListQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            payload = service.product_list(self.kind, product_id, k=params.validated_data["k"])
        except LookupError as exc:
            return _error(str(exc), status.HTTP_404_NOT_FOUND)
        return Response(RecommendationListSerializer(payload).data)


class SimilarProductsView(_ProductListView):
    """Products similar to this one (product text, attributes and who bought them)."""

    kind = "similar"


class BoughtTogetherView(_ProductListView):
    """Products bought in the same orders as this one."""

    kind = "bought_together"


urlpatterns: list = [
    path("recommendations/", MyRecommendationsView.as_view(), name="recommendations"),
    path("recommendations/products/<int:product_id>/similar/", SimilarProductsView.as_view(), name="recommendations-similar"),
    path("recommendations/products/<int:product_id>/bought-together/", BoughtTogetherView.as_view(),
         name="recommendations-bought-together"),
]
