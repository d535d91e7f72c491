"""Remember the request being served so signal receivers can name the acting user.

The user is read when the entry is written, not when the request starts: DRF authenticates
tokens inside the view and sets ``request.user`` on the Django request then.
"""

from contextvars import ContextVar

_current_request: ContextVar = ContextVar("audit_current_request", default=None)


def current_user():
    """The authenticated user of the request being served, or None (commands, anonymous)."""
    request = _current_request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


class AuditRequestMiddleware:
    """Keep the current request in a context variable for the duration of the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
