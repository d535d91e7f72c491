"""OpenAPI of the API: the one error shape, on every operation, for the statuses it can answer.

:class:`AutoSchema` adds to each operation the error responses its view can really produce
(a shared component per status, ``#/components/responses/...``), so clients and schemathesis
know every status and validate every error body against ``#/components/schemas/Error``. Views
document what only they answer (a 409, a domain 400 with its example) with :func:`error_response`
and :func:`error_example`; the generic responses never replace those.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import permissions, serializers
from rest_framework.throttling import ScopedRateThrottle

from config.api.errors import error_body


class ErrorDetailSerializer(serializers.Serializer):
    """What went wrong: a stable machine code, a sentence for people, and structured details."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. not_found.")
    message = serializers.CharField(help_text="One sentence for people.")
    details = serializers.JSONField(help_text="Field errors, JSON pointers, limits ({} if none).")


class ErrorSerializer(serializers.Serializer):
    """Every error of the API: ``{"error": {"code", "message", "details"}}``."""

    error = ErrorDetailSerializer()


def error_example(name: str, status: int, message: str, details: Any = None, code: str = ""):
    """An example error body in the one shape, for ``status`` (code defaults to the status's)."""
    return OpenApiExample(
        name,
        value=error_body(status, message, details, code or None),
        response_only=True,
        status_codes=[str(status)],
    )


def error_response(description: str, *examples: OpenApiExample) -> OpenApiResponse:
    """An error response of one view, in the one shape, with its examples."""
    return OpenApiResponse(ErrorSerializer, description=description, examples=list(examples))


RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}

# status: (component name, description, headers, example message)
GENERIC_ERRORS: dict[int, tuple[str, str, dict, str]] = {
    400: ("BadRequest", "Invalid input: every problem is in details.", {}, "The request is invalid: page_size: A valid integer is required."),
    401: ("Unauthorized", "No credentials, or an invalid or revoked token.",
          {"WWW-Authenticate": {"schema": {"type": "string"}}}, "Invalid token."),
    403: ("Forbidden", "Authenticated, but not allowed (or a session call without CSRF token).",
          {}, "You do not have permission to perform this action."),
    404: ("NotFound", "Nothing visible to you has that identifier (or the page is past the end).",
          {}, "Not found."),
    413: ("PayloadTooLarge", "The upload is larger than UPLOAD_MAX_BYTES.", {},
          "The upload is larger than the limit."),
    415: ("UnsupportedMediaType", "The request body's Content-Type is not accepted.", {},
          'Unsupported media type "text/plain" in request.'),
    429: ("TooManyRequests", "Too many uploads from this client; retry after Retry-After.",
          RETRY_AFTER, "Request was throttled. Expected available in 60 seconds."),
    500: ("InternalError", "A server the request needs failed (WES folds 429 and 503 here).", {},
          "The job broker is not reachable right now."),
    503: ("ServiceUnavailable", "The database (or broker, search cluster) is unreachable.",
          RETRY_AFTER, "The database is not reachable right now; try again shortly."),
}  # fmt: skip
PAGINATION_PARAMETERS = {"page", "page_size", "ordering", "format"}
# Django's middleware answers a database outage outside /api/ as plain text (config.middleware).
PLAIN_TEXT_503 = {
    "description": "The database is unreachable (plain text outside /api/).",
    "headers": RETRY_AFTER,
    "content": {"text/plain": {"schema": {"type": "string"}}},
}
GENERIC_OBJECT = {"type": "object", "additionalProperties": {}}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the error responses each operation can answer."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        """The operation with its error responses in the one shape."""
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for status, response in responses.items():
            if str(status)[0] in "45":
                self._error_content(response)
        for status in sorted(self.error_statuses(operation)):
            responses.setdefault(str(status), self._generic_error(status))
        return operation

    def error_statuses(self, operation: dict) -> set[int]:
        """The error statuses this operation's view can answer, in the view's own numbering."""
        view = self.view
        statuses = set()
        if view.authentication_classes:
            statuses.add(401)
        if self._can_forbid():
            statuses.add(403)
        query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if "requestBody" in operation or query - PAGINATION_PARAMETERS:
            statuses.add(400)
        if "requestBody" in operation:
            statuses.add(415)
        paginated = "page" in query or (self._is_list_view() and self._get_paginator())
        if "{" in self.path or paginated:  # a page past the end is a 404 too
            statuses.add(404)
        if getattr(view, "throttle_scope", None) == "uploads":  # datasets.uploads limits them
            statuses.add(413)
        if getattr(view, "throttle_scope", None) and ScopedRateThrottle in view.throttle_classes:
            statuses.add(429)
        aliases = getattr(view, "error_status_aliases", {})
        # The database outage is answered by a middleware, outside the view's own numbering.
        return {aliases.get(status, status) for status in statuses} | {503}

    def _can_forbid(self) -> bool:
        """Whether a signed-in user may be refused: always on writes (CSRF), else by permission.

        A read is probed with a signed-in, non-staff user; a permission that cannot decide
        without the database (or the object) counts as one that may refuse.
        """
        if self.method not in permissions.SAFE_METHODS:
            return True
        user = SimpleNamespace(is_authenticated=True, is_staff=False, is_superuser=False, pk=None)
        request = SimpleNamespace(method=self.method, user=user, auth=None)
        for permission in self.view.get_permissions():
            try:
                if not permission.has_permission(request, self.view):
                    return True
            except Exception:  # noqa: BLE001 (undecidable here: assume it may refuse)
                return True
        return False

    def error_media_types(self) -> list[str]:
        """The JSON media types the view renders errors in (DRF negotiates them like data)."""
        types = [r.media_type for r in self.view.get_renderers() if r.media_type.endswith("json")]
        return types or ["application/json"]

    def _generic_error(self, status: int) -> dict:
        """A reference to the shared response of ``status`` in the view's media types."""
        if status == 503 and not self.path.startswith("/api/"):
            return PLAIN_TEXT_503
        name, description, headers, message = GENERIC_ERRORS[status]
        media_types = self.error_media_types()
        for extra in media_types:  # NotFound, NotFoundLdJson (application/json too), ...
            if extra != "application/json":
                name += re.sub(r"[^A-Za-z0-9]+", " ", extra.split("/")[1]).title().replace(" ", "")
        component = ResolvedComponent(name, ResolvedComponent.RESPONSE, object=ErrorSerializer)
        if component not in self.registry:
            media = {"schema": self._error_schema_ref(), "example": error_body(status, message)}
            component.schema = {
                "description": description,
                **({"headers": headers} if headers else {}),
                "content": {media_type: media for media_type in media_types},
            }
            self.registry.register(component)
        return component.ref

    def _error_content(self, response: dict) -> None:
        """A view's own error response: its body is the Error schema unless it names another."""
        content = response.setdefault("content", {})
        first = next(iter(content.values()), {})
        for media_type in self.error_media_types():
            content.setdefault(media_type, dict(first))
        for media in content.values():
            if media.get("schema") in (None, GENERIC_OBJECT):
                media["schema"] = self._error_schema_ref()

    def _error_schema_ref(self) -> dict:
        return self.resolve_serializer(ErrorSerializer, "response").ref
