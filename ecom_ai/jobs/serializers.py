"""Serializers of ecom_ai's API. Each lists its fields; status, cost and owner fields are read-only."""
from rest_framework import serializers

from ecom_ai.jobs.models import AIJob, AIJobItem


class AIJobItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AIJobItem
        fields = ["id", "target_id", "status", "attempts", "result_id", "error", "finished_at"]
        read_only_fields = fields


class AIJobSerializer(serializers.ModelSerializer):
    progress = serializers.IntegerField(read_only=True)
    state = serializers.CharField(read_only=True, help_text="The status, or \"stalled\" for an active job that stopped moving.")
    stalled = serializers.BooleanField(source="is_stalled", read_only=True)

    class Meta:
        model = AIJob
        fields = ["id", "kind", "status", "state", "stalled", "stalled_at", "stall_reason", "progress", "n_items", "n_pending", "n_running", "n_done", "n_failed",
                  "tokens_in", "tokens_out", "token_budget", "wall_time_s", "error_summary", "created_at",
                  "started_at", "finished_at"]
        read_only_fields = fields


class AIJobDetailSerializer(AIJobSerializer):
    failed_items = serializers.SerializerMethodField()

    class Meta(AIJobSerializer.Meta):
        fields = AIJobSerializer.Meta.fields + ["failed_items"]
        read_only_fields = fields

    def get_failed_items(self, job) -> list[dict]:
        items = job.items.filter(status=AIJobItem.Status.FAILED)[:100]
        return AIJobItemSerializer(items, many=True).data
