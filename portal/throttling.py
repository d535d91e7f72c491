"""The API's per-client limit on NeXus uploads, applied to the portal's upload pages too."""

import math
from functools import wraps

from rest_framework.throttling import ScopedRateThrottle

from portal.rendering import page


class _UploadsScope:
    """What ``ScopedRateThrottle`` reads from a view: the scope of NeXus uploads."""

    throttle_scope = "uploads"


def throttle_uploads(view):
    """Answer POSTs past the ``uploads`` rate with a 429 page and Retry-After, as the API does.

    The API and the pages share one budget per client (the same scope and cache key).
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            throttle = ScopedRateThrottle()
            if not throttle.allow_request(request, _UploadsScope):
                seconds = max(1, math.ceil(throttle.wait() or 1))
                response = page(
                    request, "portal/throttled.html", {"retry_after": seconds}, status=429
                )
                response["Retry-After"] = str(seconds)
                return response
        return view(request, *args, **kwargs)

    return wrapped
