"""URL configuration: admin, the REST API under /api/v1/, OpenAPI, GA4GH, PaNOSC and the portal."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

api_v1 = [
    path("", include("ontologies.api.urls")),
    path("", include("registry.interop.urls")),
    path("", include("registry.api.urls")),
    # Recommender routes first: the datasets detail route takes any PID, slashes included.
    path("", include("recommender.api.urls")),
    path("", include("datasets.api.urls")),
    path("", include("execution.api.urls")),
    path("", include("publications.api.urls")),
    path("", include("audit.api.urls")),  # token revocation, audit log
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("panosc/", include("datasets.panosc.urls")),
    path("ga4gh/trs/v2/", include("registry.interop.trs_urls")),
    path("ga4gh/wes/v1/", include("execution.wes.urls")),
    path("", include("portal.urls")),
]

handler404 = "config.views.not_found"
handler500 = "config.views.server_error"
