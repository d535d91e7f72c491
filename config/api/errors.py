"""One error shape for the whole API: ``{"error": {"code", "message", "details"}}``.

DRF exceptions, Django's Http404/PermissionDenied, deleting what a protected foreign key refers
to, and domain errors raised by services (:class:`DomainError` and its subclasses) all come out
in that shape, never as a 500.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(Exception):
    """An error of the domain that services raise and the API turns into a 4xx response."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(self, message: str, details: Any = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details if details is not None else {}
        if code:
            self.code = code


class ConflictError(DomainError):
    """The request conflicts with the stored state (for example editing a published version)."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class ServiceUnavailableError(DomainError):
    """A server the request needs (broker, search cluster) is not reachable right now."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "service_unavailable"

    def __init__(self, message: str, details: Any = None, retry_after: int = 30):
        super().__init__(message, details)
        self.retry_after = retry_after


CODES_BY_STATUS = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
    503: "service_unavailable",
}


def error_body(status_code: int, message: str, details: Any = None, code: str | None = None):
    """Build the body of an error response in the API's one shape."""
    return {
        "error": {
            "code": code or CODES_BY_STATUS.get(status_code, "error"),
            "message": message,
            "details": details if details is not None else {},
        }
    }


def _first_message(detail: Any) -> str:
    """Find a readable message inside DRF's nested error detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            inner = _first_message(value)
            return inner if key in ("detail", "non_field_errors") else f"{key}: {inner}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def protected_conflict(exc: ProtectedError) -> ConflictError:
    """Deleting an object that others refer to (``on_delete=PROTECT``): a 409 naming them."""
    referrers = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects})
    return ConflictError(
        f"It is referenced by {', '.join(referrers)} and cannot be deleted.",
        details={"referenced_by": referrers},
        code="referenced",
    )


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF exception handler that renders every error in the one shape."""
    if isinstance(exc, ProtectedError):
        exc = protected_conflict(exc)
    if isinstance(exc, DomainError):
        response = Response(
            error_body(exc.status_code, exc.message, exc.details, exc.code), status=exc.status_code
        )
        if isinstance(exc, ServiceUnavailableError):
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, DjangoValidationError):
        details = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(details)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        message = "The request is invalid: " + _first_message(detail)
        details = detail
    else:
        message = str(detail.get("detail", detail)) if isinstance(detail, dict) else str(detail)
        details = {}
    code = getattr(getattr(exc, "detail", None), "code", None)
    if isinstance(exc, exceptions.ValidationError) or not isinstance(code, str):
        code = None
    response.data = error_body(response.status_code, message, details, code)
    return response
