"""Error views: JSON in the API's error shape under /api/, /ga4gh/ and /panosc/, HTML elsewhere."""

from django.http import JsonResponse
from django.views import defaults

from config.api.errors import error_body

API_PREFIXES = ("/api/", "/ga4gh/", "/panosc/")


def _wants_json(request) -> bool:
    return request.path.startswith(API_PREFIXES)


def not_found(request, exception=None):
    """404 for any URL no view matched."""
    if _wants_json(request):
        return JsonResponse(error_body(404, f"No resource at {request.path}."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500: the last resort; the API still answers in its error shape."""
    if _wants_json(request):
        return JsonResponse(
            error_body(500, "Internal server error.", code="server_error"), status=500
        )
    return defaults.server_error(request)
