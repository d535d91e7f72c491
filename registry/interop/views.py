"""Registry API views of the interoperability formats (the Workflow RO-Crate of a version)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.views import APIView

from registry import permissions
from registry.api.examples import not_found
from registry.interop.crate import build_crate
from registry.models import ProcedureVersion


class VersionCrateView(APIView):
    """The Workflow RO-Crate (zip) of one version of a procedure."""

    @extend_schema(
        summary="Workflow RO-Crate of a version (zip)",
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="Workflow RO-Crate (zip): ro-crate-metadata.json, the notebook, "
                "its parameters and container image, and the procedure manifest.",
            ),
            404: not_found("ProcedureVersion"),
        },
    )
    def get(self, request, slug: str, version: str) -> HttpResponse:
        queryset = permissions.visible_versions(
            request.user, ProcedureVersion.objects.select_related("procedure")
        )
        found = get_object_or_404(queryset, procedure__slug=slug, version=version)
        response = HttpResponse(build_crate(found), content_type="application/zip")
        filename = f"{slug}-{version}.crate.zip"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
