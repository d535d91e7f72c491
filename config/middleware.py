"""Database down: a 503 with Retry-After (the API's error shape, or a plain page), never a 500.

The connection is not kept: Django's health checks (``CONN_HEALTH_CHECKS``) open a new one on
the next request, so the application recovers by itself once the database is back.
"""

from __future__ import annotations

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

from config.api.errors import error_body

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 10
MESSAGE = "The database is not reachable right now; try again shortly."
FLAG = "_database_unavailable"


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 answer: the API's error shape under ``/api/``, a plain text page elsewhere."""
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body(503, MESSAGE), status=503)
    else:
        response = HttpResponse(
            "503 Service Unavailable\n\n" + MESSAGE + "\n",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _note_database_error(sender, request=None, **kwargs) -> None:
    """Mark requests whose uncaught exception (anywhere, even in a middleware) is the database's."""
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, DATABASE_ERRORS):
        setattr(request, FLAG, True)


got_request_exception.connect(_note_database_error, dispatch_uid="config.middleware.database")


class DatabaseUnavailableMiddleware:
    """Answers 503 instead of 500 when the database cannot be reached.

    Views' exceptions are caught in :meth:`process_exception`; those raised by the middleware
    below this one become 500 responses before they get here, so the ``got_request_exception``
    signal marks the request and :meth:`__call__` replaces that 500.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Pass the request on; a 500 caused by the database becomes a 503."""
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, FLAG, False):
            return database_unavailable_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        """A view's database error: log it once and answer 503."""
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.warning(
            "database unavailable for %s %s: %s", request.method, request.path, exception
        )
        return database_unavailable_response(request)
