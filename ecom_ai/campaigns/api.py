"""API of the campaigns feature: serializers, views and its routes (registered in api/urls.py).

``GET campaigns/`` lists the published campaigns running now with their chosen copy (read-only,
authenticated users); ``?language=zh|en`` keeps one language's copy. Costs never leave the server.
"""
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.routers import SimpleRouter

from ecom_ai.campaigns.models import Campaign, CampaignCopy
from ecom_ai.campaigns import services as svc


class CampaignCopySerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="current_text", read_only=True)

    class Meta:
        model = CampaignCopy
        fields = ["channel", "language", "text"]
        read_only_fields = fields


class CampaignProductSerializer(serializers.Serializer):
    """The snapshot's public part: no cost, no stock."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True)


class ActiveCampaignSerializer(serializers.ModelSerializer):
    products = serializers.SerializerMethodField()
    copies = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = ["id", "name", "kind", "starts_at", "ends_at", "threshold", "amount", "percent_off", "sale_price",
                  "stock_cap", "group_size", "group_price", "fill_hours", "per_customer_limit", "products", "copies"]
        read_only_fields = fields

    @extend_schema_field(CampaignProductSerializer(many=True))
    def get_products(self, campaign) -> list[dict]:
        return CampaignProductSerializer(campaign.products_snapshot or [], many=True).data

    @extend_schema_field(CampaignCopySerializer(many=True))
    def get_copies(self, campaign) -> list[dict]:
        copies = svc.current_chosen(campaign)
        language = self.context.get("language")
        if language:
            copies = [c for c in copies if c.language == language]
        return CampaignCopySerializer(copies, many=True).data


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("language", str, enum=["zh", "en"])]))
class ActiveCampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Campaigns running now (published, between start and end) with their chosen copy per channel."""

    serializer_class = ActiveCampaignSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return svc.active_campaigns()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        language = self.request.query_params.get("language") if self.request else None
        if language and language not in svc.LANGUAGES:
            raise ValidationError({"language": gettext("Must be one of: %(languages)s.")
                                   % {"languages": ", ".join(svc.LANGUAGES)}})
        context["language"] = language
        return context


router = SimpleRouter()
router.register("campaigns", ActiveCampaignViewSet, basename="campaign")
urlpatterns: list = []
