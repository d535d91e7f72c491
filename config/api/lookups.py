"""Free-text parts of a URL (PIDs, slugs, DOIs, ids) checked once, before any view queries them.

A NUL character in a string is an error of PostgreSQL (SQLite accepts it), so a lookup such as
``/panosc/Datasets/%00`` would be a 500 there. No identifier of the registry contains a control
character: such a URL names nothing, and answers 404 (in the API's error shape for API views).
"""

from __future__ import annotations

import re

from django.http import Http404, JsonResponse
from rest_framework.views import APIView

from config.api.errors import error_body

CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def has_control_characters(value: object) -> bool:
    """Whether ``value`` is a string with a control character (NUL, newline, DEL...)."""
    return isinstance(value, str) and bool(CONTROL_CHARACTERS.search(value))


def is_api_view(view_func) -> bool:
    """Whether the resolved view is a DRF view (it answers errors in the API's shape)."""
    view_class = getattr(view_func, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


class RejectControlCharactersMiddleware:
    """Answer 404 when a URL parameter of the resolved view contains a control character."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Stop before the view when a positional or named URL parameter is unusable."""
        if not any(map(has_control_characters, [*view_args, *view_kwargs.values()])):
            return None
        message = "No resource has an identifier with a control character."
        if is_api_view(view_func):
            # An API that answers in a shape of its own (TRS, WES) says so with ``error_body``.
            body_of = getattr(view_func.cls, "error_body", error_body)
            return JsonResponse(body_of(404, message), status=404)
        raise Http404(message)
