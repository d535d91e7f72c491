"""Serializers of the ontologies API."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ontologies import services
from ontologies.hierarchy import path_to_root
from ontologies.models import NexusDefinition, NexusDefinitionMapping, Term


class TermRefSerializer(serializers.ModelSerializer):
    """A term named in another object: id, IRI and label."""

    class Meta:
        model = Term
        fields = ["id", "iri", "label"]


class CountsSerializer(serializers.Serializer):
    """How many procedures, resources and datasets name a term."""

    procedures = serializers.IntegerField()
    resources = serializers.IntegerField()
    datasets = serializers.IntegerField()


class TermSerializer(serializers.ModelSerializer):
    """A technique term in lists: its facts, parents and usage counts."""

    short_id = serializers.CharField(read_only=True)
    parents = TermRefSerializer(many=True, read_only=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = Term
        fields = ["id", "iri", "short_id", "label", "synonyms", "obsolete", "ontology", "parents"]
        fields += ["counts"]

    @extend_schema_field(CountsSerializer)
    def get_counts(self, term) -> dict:
        """Counts annotated on the queryset by ``services.with_usage_counts``."""
        return services.usage_counts(term)


class LinkedProcedureSerializer(serializers.Serializer):
    """A procedure that serves the technique."""

    slug = serializers.CharField()
    name = serializers.CharField()


class LinkedResourceSerializer(serializers.Serializer):
    """A tutorial, simulation or other resource about the technique."""

    title = serializers.CharField()
    url = serializers.URLField()
    kind = serializers.CharField()


class TermDetailSerializer(TermSerializer):
    """One technique with its definition, children, path to the root and linked material."""

    children = TermRefSerializer(many=True, read_only=True)
    path_to_root = serializers.SerializerMethodField()
    procedures = serializers.SerializerMethodField()
    tutorials = serializers.SerializerMethodField()
    simulations = serializers.SerializerMethodField()
    nexus_definitions = serializers.SerializerMethodField()

    class Meta(TermSerializer.Meta):
        fields = [*TermSerializer.Meta.fields, "definition", "children", "path_to_root"]
        fields += ["procedures", "tutorials", "simulations", "nexus_definitions"]

    @extend_schema_field(TermRefSerializer(many=True))
    def get_path_to_root(self, term) -> list:
        """The shortest chain from the term up to a root, the term first."""
        return TermRefSerializer(path_to_root(term), many=True).data

    @extend_schema_field(LinkedProcedureSerializer(many=True))
    def get_procedures(self, term) -> list:
        """Procedures naming the technique (not drafts), as slug and name."""
        return services.linked_procedures(term)

    @extend_schema_field(LinkedResourceSerializer(many=True))
    def get_tutorials(self, term) -> list:
        """Tutorials about the technique."""
        return services.linked_resources(term, "tutorial")

    @extend_schema_field(LinkedResourceSerializer(many=True))
    def get_simulations(self, term) -> list:
        """Simulations of the technique."""
        return services.linked_resources(term, "simulation")

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_nexus_definitions(self, term) -> dict:
        """NXDL definitions mapped to this term, with their confidence."""
        mappings = sorted(term.nexus_mappings.all(), key=lambda m: m.definition)  # prefetched
        return {m.definition: m.confidence for m in mappings}


class TreeNodeSerializer(serializers.Serializer):
    """One node of the technique tree; ``children`` has the same shape (omitted at max depth)."""

    id = serializers.IntegerField()
    iri = serializers.CharField()
    label = serializers.CharField()
    counts = CountsSerializer()
    child_count = serializers.IntegerField()
    children = serializers.ListField(child=serializers.DictField(), required=False)


class TreeJsonLdSerializer(serializers.Serializer):
    """The technique tree as JSON-LD (``?format=jsonld``): the nodes, typed, in ``@graph``."""

    def get_fields(self):
        """``@context`` and ``@graph`` are not Python names, so the fields are built here."""
        return {
            "@context": serializers.DictField(help_text="SKOS and RDFS terms of the nodes."),
            "@graph": TreeNodeSerializer(many=True),
        }


class MappedTermSerializer(serializers.ModelSerializer):
    """A term an NXDL definition is mapped to, with the mapping's confidence."""

    id = serializers.IntegerField(source="term.id")
    iri = serializers.CharField(source="term.iri")
    label = serializers.CharField(source="term.label")

    class Meta:
        model = NexusDefinitionMapping
        fields = ["id", "iri", "label", "confidence", "note"]


class NexusDefinitionSerializer(serializers.ModelSerializer):
    """An NXDL application definition with its mapped techniques and requirements."""

    terms = serializers.SerializerMethodField()

    class Meta:
        model = NexusDefinition
        fields = ["id", "name", "category", "contributed", "extends", "summary", "terms"]
        fields += ["required_groups", "required_fields"]

    @extend_schema_field(MappedTermSerializer(many=True))
    def get_terms(self, definition) -> list:
        """Mapped terms, most confident first (the mapping is read once per response)."""
        cache = self.context.setdefault("mappings", {})
        if not cache:
            mappings = NexusDefinitionMapping.objects.select_related("term")
            for row in mappings.order_by("definition", "-confidence", "term__iri"):
                cache.setdefault(row.definition, []).append(row)
            cache.setdefault("", [])
        # Equal confidences keep the IRI order: the answer must not depend on storage order.
        rows = cache.get(definition.name, [])
        return MappedTermSerializer(rows, many=True).data
