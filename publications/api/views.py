"""Views of the publications API: list, detail, reproduce, modify, bundle."""

import tempfile
from pathlib import Path

from django.db.models import Exists, OuterRef, Prefetch
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.errors import DomainError
from execution.models import Run
from publications import services
from publications.api import examples
from publications.api.filtersets import PublicationFilterSet
from publications.api.serializers import (
    ModifiedVersionSerializer,
    ModifyRequestSerializer,
    PublicationSerializer,
    ReproductionSerializer,
)
from publications.choices import ReproductionStatus
from publications.models import Publication, Reproduction, ResultComparison
from publications.modification import register_changed_notebook
from registry.manifest import ManifestError
from registry.services import manifest_problems_as_details

DOI_PARAMETER = OpenApiParameter(
    "doi", str, OpenApiParameter.PATH, description="DOI, slashes included (10.5072/demo.x)"
)


def reproductions_with_runs(user):
    """Reproductions with their comparisons, results and runs loaded.

    Each comparison carries ``run_visible``: whether ``user`` may read its run under the
    execution app's rule (their own runs; staff every run). Verdicts are public; runs are not.
    """
    readable = Run.objects.visible_to(user).filter(pk=OuterRef("run_id"))
    comparisons = ResultComparison.objects.select_related("result", "run").annotate(
        run_visible=Exists(readable)
    )
    return Reproduction.objects.select_related("publication").prefetch_related(
        Prefetch("comparisons", comparisons)
    )


class IsAuthenticatedForActions(permissions.BasePermission):
    """Anyone reads; starting runs and registering versions needs a signed-in user."""

    def has_permission(self, request, view):
        """Safe methods for all, the rest for authenticated users."""
        return request.method in permissions.SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )


@extend_schema(parameters=[DOI_PARAMETER])
class PublicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Publications by DOI, with the datasets and procedure versions behind their results."""

    serializer_class = PublicationSerializer
    filterset_class = PublicationFilterSet
    permission_classes = [IsAuthenticatedForActions]
    ordering_fields = ["year", "doi", "title"]
    lookup_field = "doi"
    queryset = Publication.objects.none()

    def get_queryset(self):
        """Publications with everything the serializer shows."""
        return services.with_details(Publication.objects.all())

    def get_object(self) -> Publication:
        """The publication of the DOI in the URL (any case, resolver prefix allowed)."""
        return services.get_publication(self.kwargs["doi"])

    @extend_schema(summary="List publications", examples=[examples.PUBLICATION])
    def list(self, request, *args, **kwargs):
        """Paginated; filter by technique, dataset, procedure, facility, year and q."""
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="A publication", examples=[examples.PUBLICATION])
    def retrieve(self, request, *args, **kwargs):
        """One publication by DOI."""
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Reproduce every published result",
        request=None,
        responses={201: ReproductionSerializer, 202: ReproductionSerializer},
        examples=[examples.REPRODUCTION],
    )
    @action(detail=True, methods=["post"])
    def reproduce(self, request, doi=None):
        """Run each (version, dataset) pair on the local backend and compare the outputs.

        201 when the comparison is complete, 202 while runs are still going (GET the
        reproduction later).
        """
        reproduction = services.reproduce(self.get_object(), request.user, wait_seconds=0)
        done = reproduction.status != ReproductionStatus.RUNNING
        data = ReproductionSerializer(
            reproductions_with_runs(request.user).get(pk=reproduction.pk)
        ).data
        return Response(data, status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Reproductions of a publication",
        responses=ReproductionSerializer(many=True),
        examples=[examples.REPRODUCTION],
    )
    @action(detail=True, methods=["get"])
    def reproductions(self, request, doi=None):
        """Every reproduction, newest first, with per-result comparisons and runs."""
        page = self.paginate_queryset(
            reproductions_with_runs(request.user).filter(publication=self.get_object())
        )
        for reproduction in page:
            services.refresh_reproduction(reproduction)
        return self.get_paginated_response(ReproductionSerializer(page, many=True).data)

    @extend_schema(
        summary="Open a result's procedure in JupyterHub",
        request=ModifyRequestSerializer,
        examples=[examples.MODIFY],
        responses={202: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"])
    def modify(self, request, doi=None):
        """Same version, same commit, same dataset, in a JupyterHub server; returns its URL."""
        body = ModifyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.open_for_modification(
            self.get_object(), request.user, label=body.validated_data["result"],
            version=body.validated_data["version"],
        )  # fmt: skip
        run.refresh_from_db()
        return Response(
            {"run": str(run.pk), "state": run.state, "server_url": run.external_url,
             "run_url": f"/api/v1/runs/{run.pk}/", "error": run.error},
            status=status.HTTP_202_ACCEPTED,
        )  # fmt: skip

    @extend_schema(
        summary="Register the notebook changed in a Modify server as a new version",
        request=ModifiedVersionSerializer,
        examples=[examples.MODIFIED_VERSION],
        responses={201: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"], url_path="modified-versions")
    def modified_versions(self, request, doi=None):
        """Fetch the changed notebook from the Modify run's server, commit it to the code mirror
        on a new branch and register a draft version ``based_on`` the version the publication
        used: of the same procedure when the caller may edit it, else of a derived draft
        procedure ``<slug>-<username>`` they own. Only the run's owner (or staff) may."""
        publication = self.get_object()
        body = ModifiedVersionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            registered = register_changed_notebook(
                publication, data["run"], data["new_version"], request.user, data["notebook"]
            )
        except ManifestError as error:
            raise DomainError(
                f"The new version is invalid: {error}",
                manifest_problems_as_details(error),
                "invalid_manifest",
            ) from error
        return Response(registered.as_dict(), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The publication bundle (RO-Crate zip)",
        responses={
            (200, "application/zip"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="RO-Crate (zip) with the publication's datasets, procedure "
                "manifests and results, and the crates of the runs behind them.",
            )
        },
    )
    @action(detail=True, methods=["get"], url_path="crate.zip")
    def crate(self, request, doi=None):
        """One RO-Crate with datasets, procedure manifests, results and the nested crates of
        the latest reproduction's runs that the caller may read."""
        publication = self.get_object()
        with tempfile.TemporaryDirectory(prefix="publication-crate-") as scratch:
            target = Path(scratch) / "crate.zip"
            services.export_bundle(publication, target, reader=request.user)
            # The open file stays readable after its folder is removed, and goes with it.
            bundle = target.open("rb")
        filename = publication.doi.replace("/", "_") + ".crate.zip"
        return FileResponse(bundle, as_attachment=True, filename=filename)


@extend_schema_view(
    list=extend_schema(summary="Reproductions (filter by status)", examples=[examples.REPRODUCTION])
)
class ReproductionViewSet(viewsets.ReadOnlyModelViewSet):
    """Reproductions by id, refreshed when read."""

    serializer_class = ReproductionSerializer
    queryset = Reproduction.objects.none()
    filterset_fields = ["status"]

    def get_queryset(self):
        """Every reproduction with its comparisons; runs shown to those who may read them."""
        return reproductions_with_runs(self.request.user)

    @extend_schema(summary="A reproduction", examples=[examples.REPRODUCTION])
    def retrieve(self, request, *args, **kwargs):
        """Compare results whose runs ended since, then show it."""
        services.refresh_reproduction(self.get_object())
        return super().retrieve(request, *args, **kwargs)
