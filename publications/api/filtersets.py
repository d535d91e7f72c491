"""Filters of the publications API."""

import django_filters

from publications import services
from publications.models import Publication
from registry.api.filtersets import TechniqueFilterMixin, technique_term_ids


class PublicationFilterSet(TechniqueFilterMixin):
    """technique (IRI or short id, narrower included unless exact; 400 unknown_technique as for
    procedures), dataset (PID), procedure (slug), facility, year, q."""

    q = django_filters.CharFilter(method="search", label="Text in title, abstract, authors, DOI")
    dataset = django_filters.CharFilter(method="search", label="Dataset PID")
    procedure = django_filters.CharFilter(method="search", label="Procedure slug")
    facility = django_filters.CharFilter(method="search", label="Facility slug")
    year = django_filters.NumberFilter(field_name="year")

    ARGUMENTS = {
        "q": "q",
        "dataset": "dataset_pid",
        "procedure": "procedure_slug",
        "facility": "facility_slug",
    }

    class Meta:
        model = Publication
        fields = ["q", "technique", "exact", "dataset", "procedure", "facility", "year"]

    def search(self, queryset, name, value):
        """Delegate to :func:`publications.services.search_publications`."""
        matching = services.search_publications(**{self.ARGUMENTS[name]: value})
        return queryset.filter(pk__in=matching.values("pk"))

    def filter_technique(self, queryset, name, value):
        """Publications whose datasets or procedures have the technique (the procedures' code)."""
        exact = str(self.data.get("exact", "")).lower() in {"1", "true", "yes"}
        matching = services.search_publications(technique_ids=technique_term_ids(value, exact))
        return queryset.filter(pk__in=matching.values("pk"))
