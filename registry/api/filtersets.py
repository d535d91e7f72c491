"""Filters of the registry API (django-filter)."""

import django_filters
from django.db.models import Q, QuerySet

from config.api.filters import BoundedFilterSet
from config.api.text import filter_words
from ontologies.services import descendant_ids, resolve_term
from registry.choices import ProcedureStatus, ResourceKind, VersionKind, VersionStatus
from registry.models import Facility, Instrument, Procedure, ProcedureVersion, Resource
from registry.permissions import visible_procedures


def technique_term_ids(value: str, exact: bool) -> set[int]:
    """Term ids matching a technique IRI: the term itself, and its narrower terms unless exact."""
    term = resolve_term(value)
    return {term.pk} if exact else descendant_ids([term.pk])


def text_filter(queryset: QuerySet, field: str, value: str) -> QuerySet:
    """Every whitespace-separated word of ``value`` must occur in ``field`` (case-insensitive)."""
    for word in filter_words(value, lower=True):
        queryset = queryset.filter(**{f"{field}__contains": word})
    return queryset


class TechniqueFilterMixin(BoundedFilterSet):
    """``?technique=IRI`` includes narrower techniques; ``&exact=true`` matches only that term."""

    technique = django_filters.CharFilter(
        method="filter_technique", label="Technique IRI (narrower techniques included)"
    )
    exact = django_filters.BooleanFilter(
        method="filter_noop", label="With technique: match only that exact term"
    )
    technique_field = "techniques"

    def filter_technique(self, queryset, name, value):
        """Rows naming the technique ``value`` or, unless ``exact``, a narrower one."""
        exact = str(self.data.get("exact", "")).lower() in {"1", "true", "yes"}
        ids = technique_term_ids(value, exact)
        return queryset.filter(**{f"{self.technique_field}__in": ids}).distinct()

    def filter_noop(self, queryset, name, value):
        """``exact`` only changes how ``technique`` matches; alone it filters nothing."""
        return queryset


class ProcedureFilterSet(TechniqueFilterMixin):
    """Filters of procedures: technique, facility, keyword, status, licence and free text."""

    facility = django_filters.CharFilter(field_name="facilities__slug", label="Facility slug")
    keyword = django_filters.CharFilter(method="filter_keyword", label="Exact keyword")
    status = django_filters.ChoiceFilter(choices=ProcedureStatus.choices)
    license = django_filters.CharFilter(field_name="license", lookup_expr="iexact")
    q = django_filters.CharFilter(method="filter_text", label="Free text")

    class Meta:
        model = Procedure
        fields = ["technique", "exact", "facility", "keyword", "status", "license", "q"]

    def filter_keyword(self, queryset, name, value):
        """Procedures with exactly this keyword (case-insensitive)."""
        return queryset.filter(search_text__contains=f"|{value.strip().lower()}|")

    def filter_text(self, queryset, name, value):
        """Every word in the slug, name, summary, description or keywords."""
        return text_filter(queryset, "search_text", value)

    def filter_queryset(self, queryset):
        """Apply the filters; each procedure once, however many of its relations matched."""
        return super().filter_queryset(queryset).distinct()


class ProcedureVersionFilterSet(TechniqueFilterMixin):
    """Filters of versions: procedure, technique, facility, status, kind, free text."""

    technique_field = "procedure__techniques"
    procedure = django_filters.CharFilter(field_name="procedure__slug", label="Procedure slug")
    facility = django_filters.CharFilter(field_name="procedure__facilities__slug")
    status = django_filters.ChoiceFilter(choices=VersionStatus.choices)
    kind = django_filters.ChoiceFilter(choices=VersionKind.choices)
    q = django_filters.CharFilter(method="filter_text", label="Free text")

    class Meta:
        model = ProcedureVersion
        fields = ["procedure", "technique", "exact", "facility", "status", "kind", "q"]

    def filter_text(self, queryset, name, value):
        """Every word in the text of the version's procedure."""
        return text_filter(queryset, "procedure__search_text", value)


class ResourceFilterSet(TechniqueFilterMixin):
    """Filters of resources: kind, technique, procedure, facility, free text."""

    kind = django_filters.ChoiceFilter(choices=ResourceKind.choices)
    procedure = django_filters.CharFilter(
        method="filter_procedure", label="Procedure slug (among those you may see)"
    )
    facility = django_filters.CharFilter(field_name="facility__slug")
    q = django_filters.CharFilter(method="filter_text", label="Free text")

    class Meta:
        model = Resource
        fields = ["kind", "technique", "exact", "procedure", "facility", "q"]

    def filter_procedure(self, queryset, name, value):
        """Resources linked to the procedure ``value``; a draft hidden from the user matches
        nothing, as an unknown slug does."""
        user = getattr(self.request, "user", None)
        procedures = visible_procedures(user, Procedure.objects.filter(slug=value))
        return queryset.filter(procedures__in=procedures)

    def filter_text(self, queryset, name, value):
        """Every word in the title or the description (case-insensitive)."""
        for word in filter_words(value):
            queryset = queryset.filter(Q(title__icontains=word) | Q(description__icontains=word))
        return queryset

    def filter_queryset(self, queryset):
        """Apply the filters; each resource once."""
        return super().filter_queryset(queryset).distinct()


class FacilityFilterSet(BoundedFilterSet):
    """Filters of facilities: country and free text."""

    country = django_filters.CharFilter(lookup_expr="iexact")
    q = django_filters.CharFilter(method="filter_text", label="Free text")

    class Meta:
        model = Facility
        fields = ["country", "q"]

    def filter_text(self, queryset, name, value):
        """The text in the name, short name or slug (case-insensitive)."""
        return queryset.filter(
            Q(name__icontains=value) | Q(short_name__icontains=value) | Q(slug__icontains=value)
        )


class InstrumentFilterSet(TechniqueFilterMixin):
    """Filters of instruments: facility, technique, free text."""

    facility = django_filters.CharFilter(field_name="facility__slug")
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Instrument
        fields = ["facility", "technique", "exact", "q"]

    def filter_queryset(self, queryset):
        """Apply the filters; each instrument once."""
        return super().filter_queryset(queryset).distinct()
