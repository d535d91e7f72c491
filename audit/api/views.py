"""Views of the audit API: the staff-only log, and token revocation (own token, or staff)."""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.api.filtersets import AuditEntryFilterSet
from audit.api.serializers import AuditEntrySerializer, TokenRevocationSerializer
from audit.choices import AuditAction
from audit.models import AuditEntry
from audit.services import record

ENTRY_EXAMPLE = OpenApiExample(
    "A publication",
    response_only=True,
    value={
        "id": 42,
        "timestamp": "2026-01-05T10:00:00Z",
        "actor": "esrf-curator",
        "action": "publish",
        "object_type": "registry.procedureversion",
        "object_id": "17",
        "object_repr": "saxs-azimuthal-integration 1.0.0",
        "details": {"from": "draft", "to": "published"},
    },
)
CREDENTIALS_EXAMPLE = OpenApiExample(
    "Credentials", request_only=True, value={"username": "esrf-curator", "password": "s3cret-pass"}
)
TOKEN_EXAMPLE = OpenApiExample(
    "Token", response_only=True, value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}
)
REVOKED_EXAMPLE = OpenApiExample(
    "Revoked", response_only=True, value={"revoked": True, "username": "esrf-curator"}
)


@extend_schema_view(
    list=extend_schema(summary="Audit log (staff only)", examples=[ENTRY_EXAMPLE]),
    retrieve=extend_schema(summary="One audit entry (staff only)", examples=[ENTRY_EXAMPLE]),
)
class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Who created, published, deprecated or deleted what, newest first. Staff only."""

    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilterSet
    permission_classes = [permissions.IsAdminUser]
    ordering_fields = ["timestamp"]
    ordering = ["-timestamp", "-id"]
    queryset = AuditEntry.objects.all()


def revoke_tokens_of(user, by) -> bool:
    """Delete ``user``'s token (recording who did it); True when there was one."""
    token = Token.objects.filter(user=user).first()
    if token is None:
        return False
    record(AuditAction.REVOKE_TOKEN, user, {"by": by.username}, actor=by)
    token.delete()
    return True


class AuthTokenView(ObtainAuthToken):
    """POST username and password for a token; DELETE revokes the token you authenticate with."""

    @extend_schema(
        summary="Your API token, for a username and password (send it as 'Token <key>')",
        examples=[CREDENTIALS_EXAMPLE, TOKEN_EXAMPLE],
    )
    def post(self, request, *args, **kwargs):
        """Issue (or return the existing) token of the user; wrong credentials are a 400."""
        return super().post(request, *args, **kwargs)

    @extend_schema(
        summary="Revoke your own token (the next POST issues a new one)",
        request=None,
        responses={200: TokenRevocationSerializer},
        examples=[REVOKED_EXAMPLE],
    )
    def delete(self, request):
        """Delete the caller's token; 401 when not authenticated."""
        if not request.user or not request.user.is_authenticated:
            self.permission_denied(request)
        revoked = revoke_tokens_of(request.user, by=request.user)
        return Response({"revoked": revoked, "username": request.user.username})

    def get_permissions(self):
        """Anyone may ask for a token; revoking needs an authenticated caller."""
        if self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()


class StaffTokenRevocationView(APIView):
    """Staff revoke any user's token (a leaked token, a departed colleague)."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(
        summary="Revoke a user's token (staff only)",
        request=None,
        responses={200: TokenRevocationSerializer},
        examples=[REVOKED_EXAMPLE],
    )
    def delete(self, request, username: str):
        """Delete the token of ``username``; 404 for an unknown user."""
        user = get_object_or_404(get_user_model(), username=username)
        revoked = revoke_tokens_of(user, by=request.user)
        return Response({"revoked": revoked, "username": user.username})
