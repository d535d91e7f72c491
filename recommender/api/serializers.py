"""Serializers of the recommender API: request bodies and answers."""

from rest_framework import serializers

from recommender.services import MAX_K
from registry.models import Facility

MAX_TECHNIQUES = 100  # per request: each becomes clauses of the Elasticsearch ranking query


class RecommendationOptionsSerializer(serializers.Serializer):
    """Options every recommendation request takes."""

    k = serializers.IntegerField(min_value=1, max_value=MAX_K, default=5)
    facility = serializers.SlugField(required=False, allow_blank=True, default="")
    include_incompatible = serializers.BooleanField(default=False)

    def validate_facility(self, value: str) -> str:
        """An unknown facility slug is an error, not a filter that matches nothing."""
        if value and not Facility.objects.filter(slug=value).exists():
            raise serializers.ValidationError(f"Unknown facility {value!r}.")
        return value


class ProcedureDatasetsOptionsSerializer(serializers.Serializer):
    """Options of the reverse lookup (datasets a procedure fits)."""

    include_incompatible = serializers.BooleanField(default=False)


class RecommendationRequestSerializer(RecommendationOptionsSerializer):
    """Exactly one of ``summary`` (NeXus summary), ``dataset`` (PaNOSC) or ``techniques``."""

    summary = serializers.DictField(required=False)
    dataset = serializers.DictField(required=False)
    techniques = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, max_length=MAX_TECHNIQUES
    )

    def validate(self, attrs):
        """Require exactly one way of describing the dataset."""
        given = [name for name in ("summary", "dataset", "techniques") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError("Give exactly one of summary, dataset or techniques.")
        dataset = attrs.get("dataset")
        if dataset is not None and not isinstance(dataset.get("techniques", []), list):
            raise serializers.ValidationError({"dataset": "techniques must be a list."})
        if dataset is not None and len(dataset.get("techniques", [])) > MAX_TECHNIQUES:
            raise serializers.ValidationError(
                {"dataset": f"techniques may list at most {MAX_TECHNIQUES} techniques."}
            )
        return attrs


class RecommendationUploadSerializer(RecommendationOptionsSerializer):
    """A NeXus file; only its metadata is read and nothing is stored."""

    file = serializers.FileField()


class ReasonSerializer(serializers.Serializer):
    """One machine-readable reason."""

    type = serializers.ChoiceField(
        ["exact_technique", "broader_technique", "narrower_technique", "text"]
    )
    technique = serializers.CharField(allow_null=True)
    distance = serializers.IntegerField(allow_null=True)
    weight = serializers.FloatField()


class CompatibilitySerializer(serializers.Serializer):
    """Which required NeXus items the dataset holds."""

    compatible = serializers.BooleanField(allow_null=True)
    present = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField())


class RecommendationCompatibilitySerializer(CompatibilitySerializer):
    """Compatibility of a recommendation, with where it runs compared to where the data lives."""

    offered_at_data_facility = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the procedure is offered at the facility where the data lives "
        "(a procedure listing no facility is offered everywhere); null when that facility is "
        "unknown or not in the registry.",
    )


class RecommendationSerializer(serializers.Serializer):
    """One recommended procedure version."""

    procedure = serializers.SlugField()
    name = serializers.CharField()
    summary = serializers.CharField()
    version = serializers.CharField()
    kind = serializers.CharField()
    score = serializers.FloatField()
    explanation = serializers.CharField()
    reasons = ReasonSerializer(many=True)
    compatibility = RecommendationCompatibilitySerializer()
    engine_version = serializers.CharField()


class RecommendationAnswerSerializer(serializers.Serializer):
    """The techniques understood (or why none), and the ranked recommendations."""

    query = serializers.DictField()
    engine_version = serializers.CharField()
    degraded = serializers.BooleanField(
        help_text="True when the search cluster could not serve and the database answered."
    )
    degraded_reason = serializers.CharField(allow_blank=True, help_text="Why, when degraded.")
    count = serializers.IntegerField()
    results = RecommendationSerializer(many=True)


class FittingDatasetSerializer(serializers.Serializer):
    """A dataset a procedure fits, with its compatibility."""

    pid = serializers.CharField()
    title = serializers.CharField()
    techniques = serializers.ListField(child=serializers.CharField())
    compatibility = CompatibilitySerializer()


class SearchResultSerializer(serializers.Serializer):
    """One procedure found by free-text search."""

    procedure = serializers.SlugField()
    name = serializers.CharField()
    summary = serializers.CharField()
    version = serializers.CharField()
    kind = serializers.CharField()
    techniques = serializers.ListField(child=serializers.CharField())
    facilities = serializers.ListField(child=serializers.CharField())
    score = serializers.FloatField()


class FacetValueSerializer(serializers.Serializer):
    """One value of a facet and how many matches have it."""

    value = serializers.CharField(help_text="What to pass as the facet's query parameter.")
    label = serializers.CharField()
    count = serializers.IntegerField()


class SearchFacetsSerializer(serializers.Serializer):
    """Counts over all matches (not only this page), most frequent first."""

    technique = FacetValueSerializer(many=True, help_text="By technique IRI.")
    facility = FacetValueSerializer(many=True, help_text="By facility slug.")
    kind = FacetValueSerializer(many=True, help_text="By kind of procedure.")


class SearchPageSerializer(serializers.Serializer):
    """One page of search results with the facets of every match."""

    count = serializers.IntegerField(help_text="How many procedures match.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchResultSerializer(many=True)
    facets = SearchFacetsSerializer()
    degraded = serializers.BooleanField(
        help_text="True when the search cluster was unreachable and the embedded backend answered."
    )
    degraded_reason = serializers.CharField(allow_blank=True)
