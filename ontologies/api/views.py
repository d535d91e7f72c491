"""Views of the ontologies API: techniques (list, detail, lookup by IRI, tree) and NXDL."""

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from config.api.errors import DomainError
from ontologies import services
from ontologies.api import examples
from ontologies.api.filtersets import NexusDefinitionFilterSet, TermFilterSet
from ontologies.api.renderers import JSONLDRenderer
from ontologies.api.serializers import (
    NexusDefinitionSerializer,
    TermDetailSerializer,
    TermSerializer,
    TreeJsonLdSerializer,
    TreeNodeSerializer,
)
from ontologies.hierarchy import MAX_TREE_DEPTH, build_tree
from ontologies.models import NexusDefinition, Term

IRI_PARAMETER = OpenApiParameter(
    "iri", str, required=True, description="IRI of the term", examples=[]
)
ROOT_PARAMETER = OpenApiParameter("root", str, description="IRI (or id) of the subtree's root")
DEPTH_PARAMETER = OpenApiParameter("depth", int, description=f"levels shown, 1..{MAX_TREE_DEPTH}")


def _depth(value: str | None) -> int:
    """The ``?depth=`` parameter, checked."""
    if value in (None, ""):
        return MAX_TREE_DEPTH
    if not value.isdigit() or not 1 <= int(value) <= MAX_TREE_DEPTH:
        raise DomainError(f"depth must be an integer from 1 to {MAX_TREE_DEPTH}.", code="invalid")
    return int(value)


@extend_schema_view(
    list=extend_schema(
        summary="List techniques (search label and synonyms with ?q=)",
        examples=[examples.TERM_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="A technique by id or short id, with its hierarchy and linked material",
        examples=[examples.TERM_EXAMPLE],
    ),
)
class TechniqueViewSet(viewsets.ReadOnlyModelViewSet):
    """Experimental-technique terms (PaNET) with counts of what uses them."""

    filterset_class = TermFilterSet
    ordering_fields = ["label", "id"]
    renderer_classes = [JSONRenderer, JSONLDRenderer, BrowsableAPIRenderer]
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        """Terms with usage counts; parents (and on detail children) prefetched."""
        refs = Term.objects.only("id", "iri", "label")
        queryset = Term.objects.prefetch_related(Prefetch("parents", queryset=refs))
        if self.action != "list":
            queryset = queryset.prefetch_related(
                Prefetch("children", queryset=refs), "nexus_mappings"
            )
        return services.with_usage_counts(queryset).order_by("label", "pk")

    def get_serializer_class(self):
        """The detail shape for one term, the compact one for lists."""
        return TermSerializer if self.action == "list" else TermDetailSerializer

    def get_object(self):
        """Look up by primary key or short id (``PaNET01188``); unknown → 404."""
        try:
            term = services.resolve_term(self.kwargs[self.lookup_field])
        except DomainError as error:
            raise Http404(error.message) from error
        return self.get_queryset().get(pk=term.pk)

    @extend_schema(
        summary="A technique by its IRI",
        parameters=[IRI_PARAMETER],
        responses=TermDetailSerializer,
        examples=[examples.TERM_EXAMPLE],
    )
    @action(detail=False, methods=["get"], url_path="lookup", filterset_class=None)
    def lookup(self, request):
        """``/techniques/lookup/?iri=...``: the same as the detail view, by IRI."""
        iri = request.query_params.get("iri", "").strip()
        if not iri:
            raise DomainError("Give the IRI as ?iri=.", code="invalid")
        term = self.get_queryset().get(pk=services.resolve_term(iri).pk)
        return Response(TermDetailSerializer(term, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Nested tree of techniques with counts",
        parameters=[ROOT_PARAMETER, DEPTH_PARAMETER],
        description=(
            "A list of root nodes; as JSON-LD (`?format=jsonld` or `Accept: application/ld+json`) "
            "an object with the nodes in `@graph`."
        ),
        # Both shapes under application/json too: clients (and schemathesis) that read only the
        # first media type of a response still find the JSON-LD answer of ``?format=jsonld``.
        responses={
            (200, "application/json"): PolymorphicProxySerializer(
                component_name="TechniqueTree",
                serializers=[TreeNodeSerializer(many=True), TreeJsonLdSerializer],
                resource_type_field_name=None,
                many=False,
            ),
            (200, "application/ld+json"): TreeJsonLdSerializer,
        },
        examples=[examples.TREE_EXAMPLE],
    )
    @action(
        detail=False, methods=["get"], url_path="tree", filterset_class=None, pagination_class=None
    )
    def tree(self, request):
        """The hierarchy below ``?root=`` (default: every root), ``?depth=`` levels deep.

        A nested document, not a list, so not paginated; a term with several parents appears
        under each. Obsolete terms are left out unless ``?obsolete=true``.
        """
        depth = _depth(request.query_params.get("depth"))
        include_obsolete = request.query_params.get("obsolete", "").lower() in ("true", "1")
        queryset = services.with_usage_counts(Term.objects.all())
        if not include_obsolete:
            queryset = queryset.filter(obsolete=False)
        root_value = request.query_params.get("root")
        if root_value:
            root = services.resolve_term(root_value)
            queryset = queryset.filter(pk__in=services.descendant_ids([root.pk]))
        terms = {term.pk: term for term in queryset}
        for term in terms.values():
            term.child_ids, term.counts = [], services.usage_counts(term)
        has_parent = set()
        for child_id, parent_id in Term.parents.through.objects.values_list(
            "from_term_id", "to_term_id"
        ):
            if child_id in terms and parent_id in terms:
                terms[parent_id].child_ids.append(child_id)
                has_parent.add(child_id)
        roots = [root.pk] if root_value else [pk for pk in terms if pk not in has_parent]
        return Response(build_tree(terms, [pk for pk in roots if pk in terms], depth))


@extend_schema_view(
    list=extend_schema(
        summary="NXDL application definitions with mapped techniques",
        examples=[examples.NEXUS_DEFINITION_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="An NXDL application definition by name (NXsas)",
        parameters=[OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH)],
        examples=[examples.NEXUS_DEFINITION_EXAMPLE],
    ),
)
class NexusDefinitionViewSet(viewsets.ReadOnlyModelViewSet):
    """NeXus application definitions: techniques they map to, groups and fields they require."""

    queryset = NexusDefinition.objects.order_by("name")
    serializer_class = NexusDefinitionSerializer
    filterset_class = NexusDefinitionFilterSet
    ordering_fields = ["name", "category"]
    lookup_field = "name"
