"""API views: thin, scoped to what the requesting user may see."""
from rest_framework import viewsets

from ecom_ai.jobs.engine import visible_jobs
from ecom_ai.jobs.serializers import AIJobDetailSerializer, AIJobSerializer


class AIJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Status of AI jobs: your own, or all of them with the ``ecom_ai.view_aijob`` permission."""

    serializer_class = AIJobSerializer

    def get_queryset(self):
        return visible_jobs(self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        return AIJobDetailSerializer if self.action == "retrieve" else AIJobSerializer
