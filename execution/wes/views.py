"""HTTP views of GA4GH WES 1.1 under ``/ga4gh/wes/v1/``: service-info, runs, status, cancel.

Users see and cancel only their own runs (anyone else's is a 404); staff see every run;
anonymous callers get 401. Errors carry the registry's ``{"error": {...}}`` shape and, beside
it, WES's ``msg`` and ``status_code``, so clients of either read them.
"""

import base64
import binascii
import uuid

from django.conf import settings
from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.errors import DomainError, error_body
from config.api.errors import exception_handler as registry_exception_handler
from execution import services
from execution.api.serializers import find_version
from execution.choices import RunState
from execution.models import Run
from execution.wes import documents

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
# WES declares 400, 401, 403, 404 and 500; other codes are folded into the nearest of them.
WES_STATUS = {405: 400, 406: 400, 409: 400, 413: 400, 415: 400, 429: 500, 503: 500}

ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Error: the registry's error shape plus WES msg and status_code.",
    examples=[
        OpenApiExample(
            "Not found",
            value={
                "error": {"code": "not_found", "message": "No run 42.", "details": {}},
                "msg": "No run 42.",
                "status_code": 404,
            },
        )
    ],
)
RUN_ID_EXAMPLE = OpenApiExample(
    "Run id", value={"run_id": "0b9f8c1e-6d1c-4d8e-9a47-1f0e0c7a2b11"}, response_only=True
)
RUN_ID_PARAMETER = OpenApiParameter("run_id", str, OpenApiParameter.PATH, description="Run UUID")


def wes_exception_handler(exc, context) -> Response | None:
    """The registry's error body plus WES ``msg`` and ``status_code``, on a WES status code."""
    response = registry_exception_handler(exc, context)
    if response is None:
        return None
    response.status_code = WES_STATUS.get(response.status_code, response.status_code)
    error = response.data.get("error", {}) if isinstance(response.data, dict) else {}
    response.data = {
        **response.data,
        "msg": error.get("message", "Error."),
        "status_code": response.status_code,
    }
    return response


class WESView(APIView):
    """Base of the WES views: signed-in users, JSON answers, WES error bodies."""

    permission_classes = [permissions.IsAuthenticated]
    renderer_classes = [JSONRenderer]
    error_status_aliases = WES_STATUS  # the OpenAPI documents the statuses WES answers

    def get_exception_handler(self):
        """Errors in the registry shape plus WES fields."""
        return wes_exception_handler

    @staticmethod
    def error_body(status_code: int, message: str) -> dict:
        """The registry's error body plus WES fields, for errors answered before the view."""
        return {**error_body(status_code, message), "msg": message, "status_code": status_code}

    def absolute(self, path: str) -> str:
        """An absolute URL on this server."""
        return self.request.build_absolute_uri(path)

    def visible_runs(self):
        """The runs the caller may see (own ones; staff: all)."""
        return Run.objects.visible_to(self.request.user)

    def get_run(self, run_id: str) -> Run:
        """A run the caller may see, else 404 (never says whether it exists)."""
        try:
            key = uuid.UUID(run_id)
        except ValueError:
            key = None
        run = (
            self.visible_runs()
            .select_related("version__procedure", "dataset")
            .filter(pk=key)
            .first()
            if key
            else None
        )
        if run is None:
            raise exceptions.NotFound(f"No run {run_id!r}.")
        return run


class ServiceInfoView(WESView):
    """GA4GH service-info of the WES endpoint, with the caller's run counts by state."""

    @extend_schema(
        tags=["GA4GH WES"],
        operation_id="wes_service_info",
        responses={200: OpenApiTypes.OBJECT, 401: ERROR},
        examples=[
            OpenApiExample(
                "Service info",
                value={
                    "id": "org.analysis-registry.wes",
                    "type": {"group": "org.ga4gh", "artifact": "wes", "version": "1.1.0"},
                    "workflow_type_versions": {"JUPYTER": {"workflow_type_version": ["4"]}},
                    "system_state_counts": {"COMPLETE": 3, "RUNNING": 1},
                },
                response_only=True,
            )
        ],
    )
    def get(self, request):
        """Who we are, what we run, and how many of your runs are in each state."""
        rows = self.visible_runs().order_by().values("state").annotate(n=Count("id"))
        counts = {state: 0 for state in RunState.values}
        counts.update({row["state"]: row["n"] for row in rows})
        return Response(documents.service_info(counts, self.absolute, settings.DEBUG))


def decode_page_token(token: str) -> int:
    """The offset inside a page token (400 when it is not one of ours)."""
    if not token:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(token.encode() + b"==").decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        offset = -1
    if offset < 0:
        raise DomainError("page_token is not valid.", {"page_token": [token]}, "invalid_page")
    return offset


def encode_page_token(offset: int) -> str:
    """An opaque page token for ``offset``."""
    return base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")


def page_size_of(value: str | None) -> int:
    """page_size as an int in 1..MAX_PAGE_SIZE (400 otherwise)."""
    if value in (None, ""):
        return DEFAULT_PAGE_SIZE
    try:
        size = int(value)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise DomainError(
            f"page_size must be an integer from 1 to {MAX_PAGE_SIZE}.",
            {"page_size": [value]},
            "invalid_page_size",
        )
    return size


class RunsView(WESView):
    """List the caller's runs (paged) and start new ones."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        tags=["GA4GH WES"],
        operation_id="wes_list_runs",
        parameters=[
            OpenApiParameter("page_size", int, description=f"1 to {MAX_PAGE_SIZE}"),
            OpenApiParameter("page_token", str, description="next_page_token of the last page"),
        ],
        responses={200: OpenApiTypes.OBJECT, 400: ERROR, 401: ERROR},
        examples=[
            OpenApiExample(
                "Runs",
                value={
                    "runs": [
                        {
                            "run_id": "0b9f8c1e-6d1c-4d8e-9a47-1f0e0c7a2b11",
                            "state": "COMPLETE",
                            "start_time": "2026-01-05T10:00:00+00:00",
                            "end_time": "2026-01-05T10:00:09+00:00",
                            "tags": {},
                        }
                    ],
                    "next_page_token": "",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request):
        """The caller's runs, newest first, ``page_size`` at a time."""
        size = page_size_of(request.query_params.get("page_size"))
        offset = decode_page_token(request.query_params.get("page_token", ""))
        runs = list(self.visible_runs().order_by("-created_at", "id")[offset : offset + size + 1])
        more = len(runs) > size
        return Response(
            {
                "runs": [documents.run_summary(run) for run in runs[:size]],
                "next_page_token": encode_page_token(offset + size) if more else "",
            }
        )

    @extend_schema(
        tags=["GA4GH WES"],
        operation_id="wes_run_workflow",
        request={
            "multipart/form-data": OpenApiTypes.OBJECT,
            "application/json": OpenApiTypes.OBJECT,
        },
        responses={200: OpenApiTypes.OBJECT, 400: ERROR, 401: ERROR},
        examples=[
            OpenApiExample(
                "Run a SAXS version on a dataset",
                value={
                    "workflow_url": "saxs-azimuthal-integration@1.0.0",
                    "workflow_type": "JUPYTER",
                    "workflow_type_version": "4",
                    "workflow_params": {
                        "dataset": "10.5281/example.saxs",
                        "parameters": {"bins": 100},
                    },
                    "workflow_engine_parameters": {"backend": "local"},
                    "tags": {"project": "demo"},
                },
                request_only=True,
            ),
            RUN_ID_EXAMPLE,
        ],
    )
    def post(self, request):
        """Start a run of the version named by workflow_url; answers its run_id."""
        wes_request = documents.parse_run_request(request.data, request.FILES)
        documents.check_backend(wes_request.backend)
        run = services.create_run(
            version=find_version(wes_request.workflow_url),
            owner=request.user,
            parameters=wes_request.parameters,
            dataset_pid=wes_request.dataset_pid,
            dataset_path=wes_request.dataset_path,
            backend=wes_request.backend,
            facility_slug=wes_request.facility,
            tags=wes_request.tags,
        )
        return Response({"run_id": str(run.id)}, status=status.HTTP_200_OK)


class RunLogView(WESView):
    """Everything about one run: request, state, logs, the backend task, outputs."""

    @extend_schema(
        tags=["GA4GH WES"],
        operation_id="wes_get_run_log",
        parameters=[RUN_ID_PARAMETER],
        responses={200: OpenApiTypes.OBJECT, 401: ERROR, 404: ERROR},
        examples=[
            OpenApiExample(
                "Run log",
                value={
                    "run_id": "0b9f8c1e-6d1c-4d8e-9a47-1f0e0c7a2b11",
                    "state": "COMPLETE",
                    "request": {
                        "workflow_url": "/api/v1/procedures/saxs/versions/1.0.0/",
                        "workflow_type": "JUPYTER",
                        "workflow_type_version": "4",
                        "workflow_params": {"parameters": {"bins": 100}},
                    },
                    "run_log": {"name": "saxs@1.0.0", "exit_code": 0},
                    "task_logs": [{"id": "12345", "name": "local job", "exit_code": 0}],
                    "outputs": {"profile.csv": {"url": "...", "size": 812, "sha256": "..."}},
                },
                response_only=True,
            )
        ],
    )
    def get(self, request, run_id: str):
        """The WES RunLog of a run."""
        run = services.refresh(self.get_run(run_id))
        return Response(documents.run_log(run, self.absolute))


class RunStatusView(WESView):
    """The state of one run."""

    @extend_schema(
        tags=["GA4GH WES"],
        operation_id="wes_get_run_status",
        parameters=[RUN_ID_PARAMETER],
        responses={200: OpenApiTypes.OBJECT, 401: ERROR, 404: ERROR},
        examples=[
            OpenApiExample(
                "Status",
                value={"run_id": "0b9f8c1e-6d1c-4d8e-9a47-1f0e0c7a2b11", "state": "RUNNING"},
                response_only=True,
            )
        ],
    )
    def get(self, request, run_id: str):
        """The WES RunStatus of a run."""
        run = services.refresh(self.get_run(run_id))
        return Response(documents.run_status(run))


class CancelRunView(WESView):
    """Cancel one of the caller's runs; cancelling a finished run changes nothing."""

    @extend_schema(
        tags=["GA4GH WES"],
        operation_id="wes_cancel_run",
        parameters=[RUN_ID_PARAMETER],
        request=None,
        responses={200: OpenApiTypes.OBJECT, 401: ERROR, 404: ERROR},
        examples=[RUN_ID_EXAMPLE],
    )
    def post(self, request, run_id: str):
        """Cancel the run (idempotent: a finished run is left as it is)."""
        run = self.get_run(run_id)
        if not run.is_terminal:
            services.cancel_run(run)
        return Response({"run_id": str(run.id)})
