"""API of the impact feature.

``POST events/``: a batch of the signed-in customer's events (``{"events": [...]}``), throttled
(scope ``ecom_ai_events``); a malformed batch is refused whole with every bad row listed.
``GET events/``: the customer's own events (staff: everyone's, ``?customer_id=`` for one).
``GET impact/``: the per-feature figures and A/B readouts, for staff (``?days=N``, 1–365).
"""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.urls import path
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from ecom_ai.impact import events as service
from ecom_ai.impact import metrics
from ecom_ai.impact import settings as impact_settings
from ecom_ai.impact.models import ImpactEvent


class EventsThrottle(ScopedRateThrottle):
    """Scope ``ecom_ai_events``: DRF's ``DEFAULT_THROTTLE_RATES`` when it names the scope, else ``ECOM_AI["IMPACT"]["EVENTS_RATE"]``."""

    scope_attr = "throttle_scope"

    def get_rate(self):
        try:
            return super().get_rate()
        except ImproperlyConfigured:   # the shop's DEFAULT_THROTTLE_RATES does not name the scope
            return impact_settings.get("EVENTS_RATE")


class EventInSerializer(serializers.Serializer):
    """One event as posted (documentation of the request: the service checks every row)."""

    event_id = serializers.RegexField(r"^[A-Za-z0-9._:\-]{1,64}$", help_text="The client's id: a repeat is stored once.")
    kind = serializers.ChoiceField(choices=ImpactEvent.Kind.choices)
    request_id = serializers.UUIDField(required=False, help_text="The recommendation list's request_id (or copy_id).")
    copy_id = serializers.IntegerField(required=False, min_value=1, help_text="The campaign copy shown (or request_id).")
    model_version = serializers.CharField(required=False, max_length=64)
    product_id = serializers.IntegerField(min_value=1)
    order_id = serializers.IntegerField(required=False, min_value=1, help_text="Required for an order event.")
    value = serializers.DecimalField(required=False, max_digits=12, decimal_places=2, min_value=0)
    occurred_at = serializers.DateTimeField()
    customer_id = serializers.IntegerField(required=False, help_text="If given, must be the signed-in customer's.")


class EventBatchSerializer(serializers.Serializer):
    events = EventInSerializer(many=True)


class EventBatchResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImpactEvent
        fields = ["id", "customer_id", "event_id", "kind", "source", "request_id", "model_version", "copy_id", "campaign_id",
                  "variant", "product_id", "order_id", "value", "occurred_at", "origin", "received_at"]
        read_only_fields = fields


class EventsView(generics.ListAPIView):
    """The signed-in customer's events (staff: all, or ``?customer_id=``); POST a batch of them."""

    serializer_class = EventSerializer
    throttle_scope = "ecom_ai_events"

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.request.method == "POST":
            throttles.append(EventsThrottle())
        return throttles

    def get_queryset(self):
        raw = self.request.query_params.get("customer_id")
        if raw not in (None, "") and not str(raw).isdigit():
            raise ValidationError({"customer_id": gettext("Must be a whole number.")})
        try:
            return service.visible_events(self.request.user, int(raw) if raw else None).order_by("-occurred_at", "-id")
        except (service.NoCustomer, service.NotYourEvents) as exc:
            raise PermissionDenied(str(exc)) from exc

    @extend_schema(request=EventBatchSerializer, responses={202: EventBatchResultSerializer})
    def post(self, request):
        rows = request.data.get("events") if isinstance(request.data, dict) else request.data
        try:
            accepted = service.ingest_for_user(request.user, rows)
        except (service.NoCustomer, service.NotYourEvents) as exc:
            raise PermissionDenied(str(exc)) from exc
        except service.EventBatchError as exc:
            return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        return Response({"accepted": accepted}, status=status.HTTP_202_ACCEPTED)


class IsImpactStaff(permissions.BasePermission):
    def has_permission(self, request, view):
        return service.can_read_all(request.user)


class FunnelRowSerializer(serializers.Serializer):
    day = serializers.CharField(required=False)
    model_version = serializers.CharField(required=False, allow_blank=True)
    campaign_id = serializers.IntegerField(required=False, allow_null=True)
    copy_id = serializers.IntegerField(required=False, allow_null=True)
    variant = serializers.IntegerField(required=False, allow_null=True)
    impressions = serializers.IntegerField()
    clicks = serializers.IntegerField()
    carts = serializers.IntegerField()
    orders = serializers.IntegerField()
    revenue = serializers.CharField()
    ctr = serializers.FloatField(allow_null=True)
    cart_rate = serializers.FloatField(allow_null=True)
    order_rate = serializers.FloatField(allow_null=True)


class RecommendationImpactSerializer(serializers.Serializer):
    by_version = FunnelRowSerializer(many=True)
    daily = FunnelRowSerializer(many=True)


class CampaignImpactSerializer(serializers.Serializer):
    by_copy = FunnelRowSerializer(many=True)
    daily = FunnelRowSerializer(many=True)


class InquiryTotalsSerializer(serializers.Serializer):
    unchanged = serializers.IntegerField()
    edited = serializers.IntegerField()
    handed_over = serializers.IntegerField()
    unchanged_share = serializers.FloatField(allow_null=True)
    mean_edit_distance = serializers.FloatField(allow_null=True)
    median_edit_distance = serializers.FloatField(allow_null=True)
    median_minutes_to_reply = serializers.FloatField(allow_null=True)
    replies_sent = serializers.IntegerField()
    order_inquiries = serializers.IntegerField()
    asked_again_24h = serializers.IntegerField(help_text="Inquiries about an order followed within 24 h by another about it.")
    customers_about_orders = serializers.IntegerField()
    customers_asked_again = serializers.IntegerField()
    asked_again_share = serializers.FloatField(allow_null=True, help_text="customers_asked_again / customers_about_orders")


class InquiryDaySerializer(serializers.Serializer):
    day = serializers.CharField()
    unchanged = serializers.IntegerField()
    edited = serializers.IntegerField()
    handed_over = serializers.IntegerField()
    mean_edit_distance = serializers.FloatField(allow_null=True)
    median_minutes_to_reply = serializers.FloatField(allow_null=True)
    replies_sent = serializers.IntegerField()


class InquiryImpactSerializer(serializers.Serializer):
    totals = InquiryTotalsSerializer()
    daily = InquiryDaySerializer(many=True)


class ActionImpactSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    aspect = serializers.CharField()
    label = serializers.CharField()
    team = serializers.CharField()
    target = serializers.CharField()
    done_at = serializers.CharField()
    in_period = serializers.BooleanField()
    reviews_before = serializers.IntegerField()
    blaming_before = serializers.IntegerField()
    share_before = serializers.FloatField(allow_null=True)
    reviews_after = serializers.IntegerField()
    blaming_after = serializers.IntegerField()
    share_after = serializers.FloatField(allow_null=True)
    difference = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    p_value = serializers.FloatField(allow_null=True)
    enough_data = serializers.BooleanField()
    verdict = serializers.CharField()


class FeedbackImpactSerializer(serializers.Serializer):
    measured = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)
    actions = ActionImpactSerializer(many=True)


class ArmSerializer(serializers.Serializer):
    name = serializers.CharField()
    serves = serializers.JSONField()
    share = serializers.FloatField()
    customers = serializers.IntegerField()
    successes = serializers.IntegerField()
    served_other = serializers.IntegerField(help_text="Customers of this arm who were also shown another arm's version.")
    rate = serializers.FloatField(allow_null=True)


class ComparisonSerializer(serializers.Serializer):
    arm = serializers.CharField()
    control = serializers.CharField()
    rate_a = serializers.FloatField()
    rate_b = serializers.FloatField()
    difference = serializers.FloatField()
    ci_low = serializers.FloatField()
    ci_high = serializers.FloatField()
    z = serializers.FloatField()
    p_value = serializers.FloatField()
    confidence = serializers.FloatField()
    significant = serializers.BooleanField()


class ReadoutSerializer(serializers.Serializer):
    experiment = serializers.CharField()
    kind = serializers.CharField()
    metric = serializers.CharField()
    starts_at = serializers.CharField()
    ends_at = serializers.CharField(allow_null=True)
    min_per_arm = serializers.IntegerField()
    enough_data = serializers.BooleanField()
    verdict = serializers.CharField()
    arms = ArmSerializer(many=True)
    comparisons = ComparisonSerializer(many=True)


class ImpactReportSerializer(serializers.Serializer):
    since = serializers.CharField()
    until = serializers.CharField()
    days = serializers.IntegerField()
    recommendations = RecommendationImpactSerializer()
    campaigns = CampaignImpactSerializer()
    inquiries = InquiryImpactSerializer()
    feedback = FeedbackImpactSerializer()
    experiments = ReadoutSerializer(many=True)


class DaysSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=365, default=30)


class ImpactView(APIView):
    """Impact per feature over the last ``days`` days, and the A/B readouts (staff with the view permission on impact events)."""

    permission_classes = [permissions.IsAuthenticated, IsImpactStaff]

    @extend_schema(parameters=[DaysSerializer], responses=ImpactReportSerializer)
    def get(self, request):
        params = DaysSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response(ImpactReportSerializer(metrics.report(days=params.validated_data["days"])).data)


urlpatterns: list = [
    path("events/", EventsView.as_view(), name="impact-events"),
    path("impact/", ImpactView.as_view(), name="impact"),
]
