"""Registry API routes of the interoperability formats, mounted under ``/api/v1/``."""

from django.urls import re_path

from registry.interop.views import VersionCrateView

urlpatterns = [
    re_path(
        r"^procedures/(?P<slug>[a-z0-9-]+)/versions/(?P<version>[^/]+)/crate\.zip$",
        VersionCrateView.as_view(),
        name="procedure-version-crate",
    ),
]
