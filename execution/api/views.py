"""REST API of runs: list, create, retrieve, cancel, outputs and the provenance crate."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from execution import crate, services
from execution.api import examples
from execution.api.filtersets import RunFilterSet
from execution.api.serializers import RunCreateSerializer, RunSerializer, find_version
from execution.models import Run


def output_file(run: Run, name: str) -> Path:
    """The file of output ``name``, refusing anything outside the run's output folder."""
    if not run.outputs.filter(name=name).exists():
        raise Http404(f"Run {run.pk} has no output {name!r}.")
    root = (Path(settings.RUNS_DIR) / str(run.pk) / "outputs").resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404(f"Run {run.pk} has no output {name!r}.")
    return path


@extend_schema_view(
    list=extend_schema(summary="Your runs (staff: every run)", examples=[examples.RUN_EXAMPLE]),
    retrieve=extend_schema(summary="A run", examples=[examples.RUN_EXAMPLE]),
)
class RunViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Runs of procedure versions; users see only their own, staff see all."""

    serializer_class = RunSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = RunFilterSet
    ordering_fields = ["created_at", "state"]
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_queryset(self):
        """The runs the requesting user may see."""
        return (
            Run.objects.visible_to(self.request.user)
            .select_related("version__procedure", "dataset", "owner")
            .prefetch_related("outputs", "events")
        )

    def get_object(self) -> Run:
        """The run, refreshed from its backend when it is an open interactive session."""
        return services.refresh(super().get_object())

    @extend_schema(
        request=RunCreateSerializer,
        responses={201: RunSerializer, 400: examples.INVALID_PARAMETERS},
        examples=[
            OpenApiExample(
                "SAXS run",
                value={
                    "version": "saxs-azimuthal-integration@1.0.0",
                    "dataset": "10.5281/example.saxs",
                    "parameters": {"bins": 100},
                    "backend": "local",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        """Start a run: parameters are checked against the version's input schema."""
        incoming = RunCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        run = services.create_run(
            version=find_version(data["version"]),
            owner=request.user,
            parameters=data["parameters"],
            dataset_pid=data["dataset"],
            dataset_path=data["dataset_path"],
            backend=data["backend"],
            facility_slug=data["facility"],
            tags=data["tags"],
        )
        run.refresh_from_db()
        return Response(RunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: RunSerializer, 409: examples.RUN_FINISHED},
        examples=[examples.CANCELED_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the run (409 when it has already ended)."""
        run = services.cancel_run(self.get_object())
        run.refresh_from_db()
        return Response(RunSerializer(run).data)

    @extend_schema(
        summary="Provenance crate of a run", responses={(200, "application/zip"): examples.CRATE}
    )
    def crate(self, request, pk=None):
        """The Workflow Run RO-Crate of a finished run."""
        run = self.get_object()
        if not run.is_terminal:
            raise Http404("The run has not finished; its crate does not exist yet.")
        path = crate.crate_path(run)
        if not path.exists():
            crate.write_run_crate(run)
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"run-{run.pk}-crate.zip",
            content_type="application/zip",
        )

    @extend_schema(summary="One output file of a run", responses={(200, "*/*"): examples.OUTPUT})
    def output(self, request, pk=None, name=None):
        """Download one output file."""
        path = output_file(self.get_object(), name)
        return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
