"""HTTP views of the GA4GH TRS 2.1 read API under ``/ga4gh/trs/v2/``.

Errors come out in TRS's own ``Error`` shape ``{"code": <int>, "message": <str>}``, not in the
registry API's error shape, because TRS clients expect it.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import permissions
from registry.interop import code, trs
from registry.models import ProcedureVersion

DEFAULT_LIMIT = 1000
MAX_LIMIT = 1000


class TRSError(exceptions.APIException):
    """An error answered in TRS's ``Error`` shape."""

    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code


def trs_exception_handler(exc, context) -> Response:
    """Render any exception of a TRS view as ``{"code", "message"}``."""
    if isinstance(exc, Http404):
        exc = TRSError(404, str(exc) or "Not found.")
    elif isinstance(exc, exceptions.APIException) and not isinstance(exc, TRSError):
        exc = TRSError(exc.status_code, str(exc.detail))
    if not isinstance(exc, TRSError):
        return None
    body = TRSView.error_body(exc.status_code, str(exc.detail))
    return Response(body, status=exc.status_code)


@extend_schema(exclude=True)
class TRSView(APIView):
    """Base of the TRS views: public reads, JSON only, TRS error shape."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self):
        """Errors in TRS's ``Error`` shape."""
        return trs_exception_handler

    @staticmethod
    def error_body(status_code: int, message: str) -> dict:
        """TRS's ``Error`` body, for errors answered before the view runs."""
        return {"code": status_code, "message": message}

    def base_url(self) -> str:
        """Absolute URL of the TRS root, without a trailing slash."""
        return self.request.build_absolute_uri("/ga4gh/trs/v2").rstrip("/")

    def get_version(self, tool_id: str, version_id: str) -> ProcedureVersion:
        """A public version of a visible procedure, or a TRS 404."""
        queryset = trs.public_versions(self.request.user).select_related("procedure")
        found = queryset.filter(procedure__slug=tool_id, version=version_id).first()
        if found is None:
            raise TRSError(404, f"No tool version {tool_id}:{version_id}.")
        return found

    def check_type(self, version: ProcedureVersion, descriptor_type: str) -> bool:
        """Whether ``descriptor_type`` is served for the version; raises a TRS 404 when not.

        Returns True for the plain variant (raw text)."""
        plain = descriptor_type.startswith("PLAIN_")
        if descriptor_type.removeprefix("PLAIN_") not in trs.descriptor_types(version):
            raise TRSError(
                404,
                f"Version {version} has no {descriptor_type} descriptor (it serves "
                f"{', '.join(trs.descriptor_types(version)) or 'none'}).",
            )
        return plain


class NotFoundView(TRSView):
    """Any other path below the TRS root: a 404 in TRS's ``Error`` shape."""

    def get(self, request):
        """Answer that the path is not part of the TRS API."""
        raise TRSError(404, f"{request.path} is not a TRS 2.1 endpoint.")


class ServiceInfoView(TRSView):
    """GA4GH service-info of the TRS endpoint."""

    def get(self, request):
        info = {
            "id": "org.analysis-registry.trs",
            "name": "Analysis registry TRS",
            "type": {"group": "org.ga4gh", "artifact": "trs", "version": trs.TRS_VERSION},
            "description": "Analysis procedures of photon and neutron facilities as GA4GH "
            "tools; notebooks are served with the descriptor type JUPYTER (an extension).",
            "organization": {
                "name": "Analysis registry",
                "url": request.build_absolute_uri("/"),
            },
            "documentationUrl": request.build_absolute_uri("/api/docs/"),
            "environment": "dev" if settings.DEBUG else "prod",
            "version": "1.0.0",
        }
        info.update(getattr(settings, "TRS_SERVICE_INFO", {}))
        return Response(info)


class ToolClassesView(TRSView):
    """The tool classes: Notebook, Workflow, CommandLineTool."""

    def get(self, request):
        return Response(list(trs.TOOL_CLASSES.values()))


class ToolsView(TRSView):
    """Tools (procedures) with filters and offset/limit paging with TRS headers."""

    def get(self, request):
        offset = self._integer("offset", 0)
        limit = min(self._integer("limit", DEFAULT_LIMIT), MAX_LIMIT) or DEFAULT_LIMIT
        queryset = trs.tools_queryset(request.user, request.query_params)
        total = queryset.count()
        page = list(queryset[offset : offset + limit])
        base = self.base_url()
        response = Response([trs.tool_document(p, p.public_versions, base) for p in page])
        for name, value in self._paging_headers(offset, limit, total).items():
            response[name] = value
        return response

    def _integer(self, name: str, default: int) -> int:
        raw = self.request.query_params.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            raise TRSError(400, f"{name} must be a non-negative integer.") from None
        if value < 0:
            raise TRSError(400, f"{name} must be a non-negative integer.")
        return value

    def _page_url(self, offset: int, limit: int) -> str:
        params = {
            k: v for k, v in self.request.query_params.items() if k not in ("offset", "limit")
        }
        params.update(offset=offset, limit=limit)
        return f"{self.base_url()}/tools?{urlencode(params)}"

    def _paging_headers(self, offset: int, limit: int, total: int) -> dict[str, str]:
        last_offset = max(total - 1, 0) // limit * limit
        headers = {
            "self_link": self._page_url(offset, limit),
            "last_page": self._page_url(last_offset, limit),
            "current_offset": str(offset),
            "current_limit": str(limit),
        }
        if offset + limit < total:
            headers["next_page"] = self._page_url(offset + limit, limit)
        return headers


class ToolView(TRSView):
    """One tool with its public versions."""

    def get(self, request, tool_id):
        queryset = trs.tools_queryset(request.user, {"id": tool_id})
        procedure = queryset.first()
        if procedure is None:
            raise TRSError(404, f"No tool {tool_id}.")
        return Response(trs.tool_document(procedure, procedure.public_versions, self.base_url()))


class ToolVersionsView(TRSView):
    """The public versions of a tool."""

    def get(self, request, tool_id):
        procedure = get_object_or_404(permissions.visible_procedures(request.user), slug=tool_id)
        versions = trs.public_versions(request.user).filter(procedure=procedure)
        versions = versions.select_related("procedure").order_by("-created_at", "-pk")
        base = self.base_url()
        return Response([trs.version_document(v, base) for v in versions])


class ToolVersionView(TRSView):
    """One public version of a tool."""

    def get(self, request, tool_id, version_id):
        version = self.get_version(tool_id, version_id)
        return Response(trs.version_document(version, self.base_url()))


class DescriptorView(TRSView):
    """The notebook (JUPYTER wrapped in a FileWrapper, PLAIN_JUPYTER as raw text)."""

    def get(self, request, tool_id, version_id, descriptor_type, relative_path=None):
        version = self.get_version(tool_id, version_id)
        plain = self.check_type(version, descriptor_type)
        if relative_path is not None and relative_path == version.entry_point.rsplit("/")[-1]:
            relative_path = None
        if plain:
            found = (
                code.entry_point_file(version)
                if relative_path is None
                else code.code_file(version, relative_path)
            )
            if found is None:
                raise TRSError(404, "The file is not available from this registry.")
            return HttpResponse(found.read_bytes(), content_type="text/plain; charset=utf-8")
        wrapper = trs.file_wrapper(version, relative_path)
        if wrapper is None:
            raise TRSError(404, "The file is not available from this registry.")
        return Response(wrapper)


class FilesView(TRSView):
    """The files of a version: the notebook and what sits beside it in the working copy."""

    def get(self, request, tool_id, version_id, descriptor_type):
        version = self.get_version(tool_id, version_id)
        self.check_type(version, descriptor_type)
        return Response(trs.tool_files(version))


class TestsView(TRSView):
    """Test parameter files: none are registered, so an empty list."""

    def get(self, request, tool_id, version_id, descriptor_type):
        version = self.get_version(tool_id, version_id)
        self.check_type(version, descriptor_type)
        return Response([])


class ContainerfileView(TRSView):
    """The Dockerfile beside the notebook, when the working copy has one; else a TRS 404."""

    def get(self, request, tool_id, version_id):
        version = self.get_version(tool_id, version_id)
        found = code.containerfile(version)
        if found is None:
            raise TRSError(404, f"Version {version} has no containerfile in this registry.")
        content = found.read_bytes()
        return Response(
            [
                {
                    "content": content.decode("utf-8", errors="replace"),
                    "checksum": trs.checksums(content),
                    "image_type": "Docker",
                }
            ]
        )
