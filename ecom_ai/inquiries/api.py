"""API of the inquiries feature: customers ask questions and read approved replies; staff also see drafts.

``POST inquiries/`` {text, product_id?, order_id?, channel?} → the inquiry with its job id (201).
``GET inquiries/<id>/`` → the inquiry; ``reply`` is the approved reply, or null with
``reply_status`` "being prepared". Customers see only their own inquiries (another's → 404).
"""
from __future__ import annotations

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.throttling import ScopedRateThrottle

from ecom_ai.inquiries.models import Inquiry, ReplyDraft
from ecom_ai.inquiries import services as service


class InquiryCreateSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=None)
    product_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    order_id = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    channel = serializers.ChoiceField(choices=Inquiry.Channel.choices, required=False, default=Inquiry.Channel.WEB)


class ReplyDraftSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReplyDraft
        fields = ["id", "text", "edited_text", "facts", "intent", "backend", "model_id", "check_ok", "check_reasons",
                  "needs_review", "handover", "handover_reason", "confidence", "approved_by", "approved_at", "created_at"]
        read_only_fields = fields


class InquirySerializer(serializers.ModelSerializer):
    job_id = serializers.IntegerField(read_only=True)
    reply = serializers.SerializerMethodField()
    reply_status = serializers.SerializerMethodField()

    class Meta:
        model = Inquiry
        fields = ["id", "text", "channel", "language", "product_id", "order_id", "status", "job_id", "reply",
                  "reply_status", "created_at", "sent_at"]
        read_only_fields = fields

    def get_reply(self, inquiry) -> str | None:
        return service.customer_reply(inquiry)

    def get_reply_status(self, inquiry) -> str:
        if inquiry.status in (Inquiry.Status.APPROVED, Inquiry.Status.SENT):
            return "ready"
        if inquiry.status == Inquiry.Status.HANDED_OVER:
            return "with a colleague"
        return "being prepared"


class StaffInquirySerializer(InquirySerializer):
    drafts = ReplyDraftSerializer(many=True, read_only=True)

    class Meta(InquirySerializer.Meta):
        fields = InquirySerializer.Meta.fields + ["customer_id", "intent", "intent_confidence", "handover_reason", "drafts"]
        read_only_fields = fields


class InquiryViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Ask a question and follow its reply. Posting is throttled (scope ``ecom_ai_inquiry``)."""

    serializer_class = InquirySerializer
    throttle_scope = "ecom_ai_inquiry"

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action == "create":
            throttles.append(ScopedRateThrottle())
        return throttles

    def get_queryset(self):
        return service.visible_inquiries(self.request.user).prefetch_related("drafts").order_by("-created_at", "-id")

    def _is_staff(self) -> bool:
        return self.request.user.has_perm("ecom_ai.view_inquiry") and self.request.user.has_perm("ecom_ai.view_replydraft")

    def get_serializer_class(self):
        if self.action == "create":
            return InquiryCreateSerializer
        return StaffInquirySerializer if self._is_staff() else InquirySerializer

    def create(self, request, *args, **kwargs):
        data = InquiryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            inquiry = service.create_inquiry(user=request.user, **data.validated_data)
        except service.NoCustomer as exc:
            raise PermissionDenied(str(exc)) from exc
        except service.InquiryError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        out = (StaffInquirySerializer if self._is_staff() else InquirySerializer)(inquiry, context=self.get_serializer_context())
        return Response(out.data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("inquiries", InquiryViewSet, basename="inquiry")
urlpatterns: list = []
