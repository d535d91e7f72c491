"""Views of the registry API. Procedures and versions are written as manifests."""

import copy

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, ProtectedError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.errors import ConflictError, DomainError
from registry import permissions, services
from registry.api import examples
from registry.api.filtersets import (
    FacilityFilterSet,
    InstrumentFilterSet,
    ProcedureFilterSet,
    ProcedureVersionFilterSet,
    ResourceFilterSet,
)
from registry.api.serializers import (
    FacilitySerializer,
    InstrumentSerializer,
    ProcedureSerializer,
    ProcedureVersionSerializer,
    ResourceSerializer,
    ValidationResultSerializer,
)
from registry.choices import ProcedureStatus
from registry.manifest import ManifestError, manifest_schema, validate_manifest
from registry.models import Facility, Instrument, Procedure, ProcedureVersion, Resource


def invalid_manifest(error: ManifestError) -> DomainError:
    """The API error for an invalid manifest: every problem with its JSON pointer."""
    return DomainError(
        f"The manifest is invalid: {error}",
        details=services.manifest_problems_as_details(error),
        code="invalid_manifest",
    )


def register(document, user, dry_run=False) -> services.RegistrationResult:
    """Register a manifest for an API user, turning manifest problems into a 400."""
    try:
        return services.register_manifest(document, by=user, dry_run=dry_run)
    except ManifestError as error:
        raise invalid_manifest(error) from error


def editable_ids(user) -> set[int]:
    """Ids of the procedures ``user`` may edit (to show their drafts)."""
    if not user.is_authenticated:
        return set()
    return set(
        Procedure.objects.filter(permissions.editable_procedures_q(user)).values_list(
            "pk", flat=True
        )
    )


@extend_schema_view(
    list=extend_schema(summary="List procedures", examples=[examples.PROCEDURE_EXAMPLE]),
    retrieve=extend_schema(
        summary="A procedure with its versions", examples=[examples.PROCEDURE_EXAMPLE]
    ),
    destroy=extend_schema(
        summary="Delete a procedure that has never been published",
        responses={
            204: None,
            404: examples.not_found("Procedure"),
            409: examples.PROCEDURE_DELETE_CONFLICT,
        },
    ),
)
class ProcedureViewSet(viewsets.ModelViewSet):
    """Analysis procedures. Create and update by sending a procedure manifest."""

    serializer_class = ProcedureSerializer
    filterset_class = ProcedureFilterSet
    permission_classes = [permissions.CanEditProcedure]
    lookup_field = "slug"
    ordering_fields = ["name", "slug", "created_at", "updated_at", "successful_runs"]
    ordering = ["name"]

    def get_queryset(self):
        """The procedures the user may see, with what the serializer reads prefetched."""
        return permissions.visible_procedures(self.request.user).prefetch_related(
            "techniques",
            "facilities",
            "owners",
            "resources",
            Prefetch(
                "versions",
                queryset=ProcedureVersion.objects.select_related("base_version__procedure"),
            ),
        )

    def get_serializer_context(self):
        """The context, with the ids of the procedures whose drafts the user may see."""
        context = super().get_serializer_context()
        context["editable_procedure_ids"] = editable_ids(self.request.user)
        return context

    def _represent(self, slug: str, result, status_code: int) -> Response:
        procedure = self.get_queryset().get(slug=slug)
        data = self.get_serializer(procedure).data
        return Response({"procedure": data, "registration": result.as_dict()}, status=status_code)

    @extend_schema(
        summary="Register a procedure from a manifest",
        request=OpenApiTypes.OBJECT,
        responses={
            201: OpenApiTypes.OBJECT,
            200: OpenApiTypes.OBJECT,
            409: examples.MANIFEST_CONFLICT,
        },
        examples=[examples.MANIFEST_EXAMPLE],
    )
    def create(self, request, *args, **kwargs):
        """Register the manifest in the body: 201 if it creates the procedure, 200 if it updates."""
        result = register(request.data, request.user)
        code = (
            status.HTTP_201_CREATED if result.procedure_action == "created" else status.HTTP_200_OK
        )
        return self._represent(result.procedure, result, code)

    @extend_schema(
        summary="Replace a procedure with a manifest (published versions must be repeated unchanged)",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 409: examples.MANIFEST_CONFLICT},
        examples=[examples.MANIFEST_EXAMPLE],
    )
    def update(self, request, *args, **kwargs):
        """Replace the procedure with the manifest in the body (PATCH: merged into its own)."""
        procedure = self.get_object()
        document = request.data
        if kwargs.pop("partial", False):
            document = merge_patch(services.procedure_to_manifest(procedure), document)
        slug = (document.get("procedure") or {}).get("slug") if isinstance(document, dict) else None
        if slug != procedure.slug:
            raise DomainError(
                f"The manifest's procedure.slug must be {procedure.slug!r}.",
                details={"errors": [{"pointer": "/procedure/slug", "message": "slug mismatch"}]},
                code="invalid_manifest",
            )
        result = register(document, request.user)
        return self._represent(procedure.slug, result, status.HTTP_200_OK)

    @extend_schema(
        summary="Change some fields of a procedure (JSON merge patch on its manifest)",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 409: examples.MANIFEST_CONFLICT},
        examples=[
            OpenApiExample(
                "New summary",
                value={"procedure": {"summary": "Radial profiles of SAXS images."}},
                request_only=True,
            )
        ],
    )
    def partial_update(self, request, *args, **kwargs):
        """Merge the body into the procedure's manifest (RFC 7396) and register the result."""
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def perform_destroy(self, instance: Procedure) -> None:
        """Delete a procedure that was never published and that nothing references."""
        if instance.versions.exclude(status="draft").exists():
            raise ConflictError(
                f"{instance.slug} has published versions and is kept for reproducibility; "
                "deprecate it instead.",
                code="published_procedure",
            )
        try:
            with transaction.atomic():
                instance.versions.all().delete()
                instance.delete()
        except ProtectedError as error:
            raise ConflictError(
                f"{instance.slug} is referenced (for example by runs) and cannot be deleted.",
                code="referenced_procedure",
            ) from error

    @extend_schema(
        summary="Validate a manifest without writing anything (every error, each with a JSON pointer)",
        request=OpenApiTypes.OBJECT,
        responses={
            200: ValidationResultSerializer,
            400: OpenApiResponse(description="Invalid manifest"),
        },
        examples=[examples.MANIFEST_EXAMPLE, examples.VALIDATION_ERROR_EXAMPLE],
    )
    @action(detail=False, methods=["post"], permission_classes=[AllowAny])
    def validate(self, request):
        """Check a manifest, writing nothing; for a logged-in user, say what registering does."""
        report = validate_manifest(request.data)
        if not report.is_valid:
            raise invalid_manifest(ManifestError(report.problems))
        plan = None
        if request.user.is_authenticated:
            try:
                plan = register(request.data, request.user, dry_run=True).as_dict()
            except PermissionDenied:
                plan = None
        return Response({"valid": True, "errors": [], "plan": plan})

    @extend_schema(
        summary="The procedure as a manifest",
        responses={200: OpenApiTypes.OBJECT},
        examples=[OpenApiExample("Manifest", value=examples.MANIFEST, response_only=True)],
    )
    @action(detail=True, methods=["get"])
    def manifest(self, request, slug=None):
        """The procedure and its versions as a manifest, ready to edit and send back."""
        return Response(services.procedure_to_manifest(self.get_object()))

    @extend_schema(
        summary="Deprecate a procedure: never recommended again",
        request=None,
        responses={
            200: OpenApiResponse(ProcedureSerializer, examples=[examples.PROCEDURE_EXAMPLE]),
            409: examples.PROCEDURE_DEPRECATE_CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def deprecate(self, request, slug=None):
        """Deprecate a published procedure: kept for reproducibility, never recommended again."""
        procedure = self.get_object()
        if procedure.status == ProcedureStatus.DRAFT:
            raise ConflictError(
                "A draft procedure cannot be deprecated; delete it instead.",
                code="illegal_transition",
            )
        services.deprecate_procedure(procedure)
        return Response(self.get_serializer(self.get_object()).data)


def merge_patch(target, patch):
    """Apply a JSON merge patch (RFC 7396) to a copy of ``target``."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@extend_schema_view(
    list=extend_schema(summary="Versions of a procedure", examples=[examples.VERSION_READ_EXAMPLE]),
    retrieve=extend_schema(
        summary="One version of a procedure", examples=[examples.VERSION_READ_EXAMPLE]
    ),
    destroy=extend_schema(
        summary="Delete a draft version",
        responses={
            204: None,
            404: examples.not_found("ProcedureVersion"),
            409: examples.VERSION_DELETE_CONFLICT,
        },
    ),
)
class ProcedureVersionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Versions of one procedure (nested under it). Published versions are immutable."""

    serializer_class = ProcedureVersionSerializer
    permission_classes = [permissions.CanEditProcedure]
    lookup_field = "version"
    lookup_value_regex = r"[^/]+"
    filterset_class = ProcedureVersionFilterSet
    ordering_fields = ["created_at", "published_at", "version"]
    ordering = ["-created_at"]

    def get_procedure(self) -> Procedure:
        """The procedure of the URL, if the user may see it (404 otherwise)."""
        queryset = permissions.visible_procedures(self.request.user)
        return get_object_or_404(queryset, slug=self.kwargs["procedure_slug"])

    def get_queryset(self):
        """The versions of the procedure that the user may see."""
        if getattr(self, "swagger_fake_view", False):  # OpenAPI generation has no URL kwargs
            return ProcedureVersion.objects.none()
        procedure = self.get_procedure()
        queryset = procedure.versions.select_related("procedure", "base_version__procedure")
        return permissions.visible_versions(self.request.user, queryset)

    @extend_schema(
        summary="Add a version (a manifest version entry)",
        request=OpenApiTypes.OBJECT,
        responses={201: ProcedureVersionSerializer, 409: examples.DUPLICATE_VERSION},
        examples=[examples.VERSION_EXAMPLE],
    )
    def create(self, request, procedure_slug=None):
        """Add a version, sent as one manifest version entry, to the procedure."""
        procedure = self.get_procedure()
        self.check_object_permissions(request, procedure)
        if not isinstance(request.data, dict) or "version" not in request.data:
            raise DomainError(
                "Send one manifest version entry with a 'version'.", code="invalid_manifest"
            )
        if procedure.versions.filter(version=request.data.get("version")).exists():
            raise ConflictError(
                f"Version {request.data['version']} already exists.", code="duplicate_version"
            )
        document = services.procedure_to_manifest(procedure)
        document["versions"].append(request.data)
        register(document, request.user)
        version = procedure.versions.get(version=request.data["version"])
        return Response(self.get_serializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a draft version (JSON merge patch on its manifest entry)",
        request=OpenApiTypes.OBJECT,
        responses={200: ProcedureVersionSerializer, 409: examples.MANIFEST_CONFLICT},
        examples=[
            OpenApiExample(
                "New changelog", value={"changelog": "Faster binning."}, request_only=True
            )
        ],
    )
    def partial_update(self, request, procedure_slug=None, version=None):
        """Merge the body into a draft version's manifest entry (published ones are immutable)."""
        instance = self.get_object()
        if instance.status != "draft":
            raise ConflictError(
                f"Version {instance} is published and immutable; publish a new version to change it.",
                code="immutable_version",
            )
        document = services.procedure_to_manifest(instance.procedure)
        for index, entry in enumerate(document["versions"]):
            if entry["version"] == instance.version:
                document["versions"][index] = merge_patch(entry, request.data)
                document["versions"][index]["version"] = instance.version
        register(document, request.user)
        instance.refresh_from_db()
        return Response(self.get_serializer(instance).data)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):
        """The same as PATCH: a version entry is always merged."""
        return self.partial_update(request, *args, **kwargs)

    def perform_destroy(self, instance: ProcedureVersion) -> None:
        """Delete a draft version; published versions are kept."""
        services.delete_draft_version(instance)

    @extend_schema(
        summary="Publish a draft version (its container must be pinned by digest)",
        request=None,
        responses={
            200: OpenApiResponse(
                ProcedureVersionSerializer, examples=[examples.VERSION_READ_EXAMPLE]
            ),
            400: examples.UNPINNED_CONTAINER,
            409: examples.TRANSITION_CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, procedure_slug=None, version=None):
        """Publish a draft version; its container must be pinned by digest."""
        instance = self.get_object()
        services.publish_version(instance)
        return Response(self.get_serializer(instance).data)

    @extend_schema(
        summary="Deprecate a published version",
        request=None,
        responses={
            200: OpenApiResponse(
                ProcedureVersionSerializer, examples=[examples.VERSION_READ_EXAMPLE]
            ),
            409: examples.TRANSITION_CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def deprecate(self, request, procedure_slug=None, version=None):
        """Deprecate a published version."""
        instance = self.get_object()
        services.deprecate_version(instance)
        return Response(self.get_serializer(instance).data)


@extend_schema_view(
    list=extend_schema(
        summary="All versions of every visible procedure", examples=[examples.VERSION_READ_EXAMPLE]
    ),
    retrieve=extend_schema(summary="One version by id", examples=[examples.VERSION_READ_EXAMPLE]),
)
class VersionViewSet(viewsets.ReadOnlyModelViewSet):
    """A flat, filterable list of procedure versions."""

    serializer_class = ProcedureVersionSerializer
    filterset_class = ProcedureVersionFilterSet
    ordering_fields = ["created_at", "published_at", "version"]
    ordering = ["-created_at"]

    def get_queryset(self):
        """The versions the user may see, of every procedure."""
        queryset = ProcedureVersion.objects.select_related("procedure", "base_version__procedure")
        return permissions.visible_versions(self.request.user, queryset)


@extend_schema_view(
    list=extend_schema(
        summary="Tutorials, simulations, training, publications, example datasets",
        examples=[examples.RESOURCE_EXAMPLE],
    ),
    retrieve=extend_schema(examples=[examples.RESOURCE_EXAMPLE]),
    create=extend_schema(examples=[examples.RESOURCE_EXAMPLE]),
    update=extend_schema(examples=[examples.RESOURCE_EXAMPLE]),
    partial_update=extend_schema(examples=[examples.RESOURCE_EXAMPLE]),
    destroy=extend_schema(responses={204: None, 404: examples.not_found("Resource")}),
)
class ResourceViewSet(viewsets.ModelViewSet):
    """Material linked to techniques and procedures; curators add it."""

    serializer_class = ResourceSerializer
    filterset_class = ResourceFilterSet
    permission_classes = [permissions.IsCuratorOrReadOnly]
    ordering_fields = ["title", "kind", "created_at"]
    ordering = ["title"]
    queryset = Resource.objects.select_related("facility").prefetch_related(
        "techniques", "procedures"
    )

    def perform_create(self, serializer):
        """Save the new resource, recording who added it."""
        serializer.save(created_by=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Facilities", examples=[examples.FACILITY_EXAMPLE]),
    retrieve=extend_schema(examples=[examples.FACILITY_EXAMPLE]),
    create=extend_schema(examples=[examples.FACILITY_EXAMPLE]),
    update=extend_schema(examples=[examples.FACILITY_EXAMPLE]),
    partial_update=extend_schema(examples=[examples.FACILITY_EXAMPLE]),
    destroy=extend_schema(responses={204: None, 404: examples.not_found("Facility")}),
)
class FacilityViewSet(viewsets.ModelViewSet):
    """Facilities; staff manage them."""

    serializer_class = FacilitySerializer
    filterset_class = FacilityFilterSet
    permission_classes = [permissions.IsStaffOrReadOnly]
    lookup_field = "slug"
    ordering_fields = ["name", "slug", "country"]
    ordering = ["name"]
    queryset = Facility.objects.all()


@extend_schema_view(
    list=extend_schema(summary="Instruments and beamlines", examples=[examples.INSTRUMENT_EXAMPLE]),
    retrieve=extend_schema(examples=[examples.INSTRUMENT_EXAMPLE]),
    create=extend_schema(examples=[examples.INSTRUMENT_EXAMPLE]),
    update=extend_schema(examples=[examples.INSTRUMENT_EXAMPLE]),
    partial_update=extend_schema(examples=[examples.INSTRUMENT_EXAMPLE]),
    destroy=extend_schema(responses={204: None, 404: examples.not_found("Instrument")}),
)
class InstrumentViewSet(viewsets.ModelViewSet):
    """Instruments of facilities; staff manage them."""

    serializer_class = InstrumentSerializer
    filterset_class = InstrumentFilterSet
    permission_classes = [permissions.IsStaffOrReadOnly]
    ordering_fields = ["name", "facility__name"]
    ordering = ["facility__name", "name"]
    queryset = Instrument.objects.select_related("facility").prefetch_related("techniques")


class ManifestSchemaView(APIView):
    """The JSON Schema of the procedure manifest."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="JSON Schema of the procedure manifest",
        responses={
            (200, "application/schema+json"): OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The JSON Schema (Draft 2020-12) every manifest is checked against.",
                examples=[examples.MANIFEST_SCHEMA_EXAMPLE],
            )
        },
    )
    def get(self, request):
        """The JSON Schema (application/schema+json)."""
        return JsonResponse(manifest_schema(), content_type="application/schema+json")
