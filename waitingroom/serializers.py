"""The waiting room's answer (API.md): where the visitor stands, and their admission."""

from __future__ import annotations

from rest_framework import serializers


class StandingSerializer(serializers.Serializer):
    performance = serializers.IntegerField(source="performance_id")
    # Arrival number in the queue (1 = first); null when the room let them in at once.
    number = serializers.IntegerField(min_value=1, allow_null=True)
    # 1 = next in line; 0 = admitted.
    position = serializers.IntegerField(min_value=0)
    estimate_seconds = serializers.IntegerField(min_value=0)
    admitted = serializers.SerializerMethodField()
    # Send it as the `Admission` header of POST /api/v1/tickets/ before it expires.
    admission = serializers.CharField(allow_null=True)
    admission_expires_at = serializers.DateTimeField(allow_null=True)
    # Ask again (GET) after this many seconds while waiting.
    retry_after_seconds = serializers.IntegerField(min_value=0)

    def get_admitted(self, standing) -> bool:
        return standing.admission is not None
