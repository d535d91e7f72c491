"""Serializers of the audit API."""

from rest_framework import serializers

from audit.models import AuditEntry


class AuditEntrySerializer(serializers.ModelSerializer):
    """One audit entry as staff read it."""

    actor = serializers.CharField(source="actor_name", read_only=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id", "timestamp", "actor", "action", "object_type", "object_id", "object_repr",
            "details",
        ]  # fmt: skip
        read_only_fields = fields


class TokenRevocationSerializer(serializers.Serializer):
    """What a revocation did."""

    revoked = serializers.BooleanField()
    username = serializers.CharField()
