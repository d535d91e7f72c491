"""Views of the datasets API: list, detail, register by path, upload-and-extract, plot."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.errors import DomainError
from config.api.openapi import error_example, error_response
from datasets import services
from datasets.api.filtersets import DatasetFilterSet
from datasets.api.serializers import (
    DatasetDetailSerializer,
    DatasetListSerializer,
    ExtractResultSerializer,
    ExtractUploadSerializer,
    RegisterDatasetSerializer,
)
from datasets.choices import DatasetOrigin
from datasets.models import Dataset
from datasets.plotting import dataset_plot_png
from datasets.uploads import check_declared_size, store_upload, temporary_upload

PID_EXAMPLE = "10.5072/demo:saxs-001"
DATASET_EXAMPLE = {
    "pid": PID_EXAMPLE,
    "url": f"http://localhost:8000/api/v1/datasets/{PID_EXAMPLE}/",
    "title": "Silica nanoparticles in water",
    "is_public": True,
    "creation_date": "2024-03-01T10:00:00Z",
    "size": 48213,
    "instrument_name": "ID02",
    "facility_name": "ESRF",
    "facility_slug": "esrf",
    "techniques": [
        {"iri": "http://purl.org/pan-science/PaNET/PaNET01188", "label": "small angle scattering"}
    ],
    "technique_unknown_reason": "",
    "origin": "nexus",
}
ERROR_EXAMPLE = {"error": {"code": "path_outside_data_roots", "message": "...", "details": {}}}


class IsOwnerOrStaffForWrites(permissions.IsAuthenticatedOrReadOnly):
    """Anyone reads what they may see; only the owner or staff delete a dataset."""

    def has_object_permission(self, request, view, obj) -> bool:
        """Reads pass; deletes need the dataset's owner or a staff user."""
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.is_staff or obj.owner_id == request.user.pk


def extract_or_400(path: Path):
    """The NeXus summary of ``path``; a file the extractor rejects is a 400, never a 500."""
    from datasets.nexus import NexusError

    try:
        return services.extract_summary(path)
    except NexusError as exc:
        raise DomainError(f"Not a readable NeXus file: {exc}", code="invalid_nexus") from exc


@extend_schema_view(
    list=extend_schema(
        summary="Search datasets",
        description="Filter by technique (narrower terms included unless exact=true), "
        "instrument, facility, text and parameter ranges in SI units or in `unit`.",
        examples=[OpenApiExample("A dataset", value=DATASET_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One dataset with its NeXus tree",
        examples=[OpenApiExample("A dataset", value=DATASET_EXAMPLE, response_only=True)],
    ),
    destroy=extend_schema(
        summary="Delete a dataset (owner or staff)",
        responses={
            204: None,
            403: error_response(
                "Only the dataset's owner or staff delete it.",
                error_example(
                    "Not yours", 403, "You do not have permission to perform this action."
                ),
            ),
            409: error_response(
                "A publication's result cites the dataset.",
                error_example(
                    "Cited",
                    409,
                    "It is referenced by published result and cannot be deleted.",
                    {"referenced_by": ["published result"]},
                    code="referenced",
                ),
            ),
        },
    ),
)
class DatasetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Datasets in the PaNOSC shape with their NeXus summary and inferred techniques."""

    lookup_field = "pid"
    lookup_value_regex = r".+"
    filterset_class = DatasetFilterSet
    permission_classes = [IsOwnerOrStaffForWrites]
    throttle_scope = None  # per action: extract is rate-limited as "uploads"
    ordering_fields = ["creation_date", "title", "pid", "size"]

    def get_queryset(self):
        """Datasets the user may see, with their techniques."""
        queryset = Dataset.objects.visible_to(self.request.user).prefetch_related("techniques")
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("parameters", "files", "documents")
        return queryset

    def get_serializer_class(self):
        """Short rows in lists, everything in the detail."""
        if self.action == "list":
            return DatasetListSerializer
        if self.action == "create":
            return RegisterDatasetSerializer
        if self.action == "extract":
            return ExtractUploadSerializer
        return DatasetDetailSerializer

    @extend_schema(
        summary="Register a NeXus file on the server",
        description="The path must lie inside NEXUS_DATA_ROOTS after resolving symlinks.",
        request=RegisterDatasetSerializer,
        responses={201: DatasetDetailSerializer, 400: OpenApiTypes.OBJECT},
        examples=[
            OpenApiExample(
                "Register",
                value={"path": "saxs/run-001.nxs", "pid": PID_EXAMPLE},
                request_only=True,
            ),
            OpenApiExample(
                "Outside the roots", value=ERROR_EXAMPLE, response_only=True, status_codes=["400"]
            ),
        ],
    )
    def create(self, request, *args, **kwargs):
        """Register (or refresh) the dataset of a file inside the data roots."""
        serializer = RegisterDatasetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        real = services.resolve_data_path(data["path"])
        pid = data.get("pid")
        if pid and Dataset.objects.filter(pid=pid).exclude(source_path=str(real)).exists():
            raise DomainError(f"PID {pid} names another dataset.", code="conflict")
        summary = extract_or_400(real)
        with transaction.atomic():
            registration = services.register_dataset(
                real, pid=pid, owner=request.user, is_public=data["is_public"], summary=summary
            )
        output = DatasetDetailSerializer(registration.dataset, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Upload a NeXus file: summary and inferred techniques",
        description="Nothing is stored unless store=true. Larger than UPLOAD_MAX_BYTES: 413.",
        request={"multipart/form-data": ExtractUploadSerializer},
        responses={
            200: ExtractResultSerializer,
            201: ExtractResultSerializer,
            413: OpenApiTypes.OBJECT,
        },
        examples=[
            OpenApiExample(
                "Result",
                value={
                    "summary": {
                        "path": "upload.nxs",
                        "definitions": [{"name": "NXsas", "path": "/entry"}],
                    },
                    "techniques": [
                        {"iri": "http://purl.org/pan-science/PaNET/PaNET01188", "label": "SAS"}
                    ],
                    "technique_unknown_reason": "",
                    "stored": False,
                    "dataset": None,
                },
                response_only=True,
            )
        ],
    )
    @action(
        detail=False,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        throttle_scope="uploads",
    )
    def extract(self, request):
        """Read an uploaded file's summary from a temporary copy; store it only when asked."""
        check_declared_size(request.META.get("CONTENT_LENGTH"))
        serializer = ExtractUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        with temporary_upload(upload) as temporary:
            summary = extract_or_400(temporary)
            techniques, reason = services.infer(summary)
            data = summary.to_dict()
            data["path"] = upload.name
            pid = None
            if serializer.validated_data["store"]:
                stored = store_upload(temporary, services.file_sha256(temporary))
                registration = services.register_dataset(
                    stored,
                    owner=request.user,
                    is_public=serializer.validated_data["is_public"],
                    origin=DatasetOrigin.UPLOAD,
                )
                pid = registration.dataset.pid
        body = {
            "summary": data,
            "techniques": techniques,
            "technique_unknown_reason": "" if techniques else reason,
            "stored": pid is not None,
            "dataset": pid,
        }
        return Response(body, status=status.HTTP_201_CREATED if pid else status.HTTP_200_OK)


class DatasetPlotView(APIView):
    """The default NXdata plot of a dataset as a PNG."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Default plot (PNG)",
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="PNG image"),
            404: OpenApiResponse(
                OpenApiTypes.OBJECT,
                examples=[
                    OpenApiExample(
                        "No plot",
                        value={
                            "error": {
                                "code": "not_found",
                                "message": "No default plot.",
                                "details": {},
                            }
                        },
                    )
                ],
            ),
        },
    )
    def get(self, request, pid: str):
        """Render (or read from the cache) the default plot of the dataset ``pid``."""
        dataset = Dataset.objects.visible_to(request.user).filter(pid=pid).first()
        if dataset is None:
            raise Http404(f"No dataset {pid}.")
        return HttpResponse(dataset_plot_png(dataset), content_type="image/png")
