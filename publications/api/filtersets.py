"""Filters of the publications API."""

import django_filters

from publications import services
from publications.models import Publication


class PublicationFilterSet(django_filters.FilterSet):
    """technique (IRI, narrower included), dataset (PID), procedure (slug), facility, year, q."""

    q = django_filters.CharFilter(method="search", label="Text in title, abstract, authors, DOI")
    technique = django_filters.CharFilter(method="search", label="PaNET IRI (narrower included)")
    dataset = django_filters.CharFilter(method="search", label="Dataset PID")
    procedure = django_filters.CharFilter(method="search", label="Procedure slug")
    facility = django_filters.CharFilter(method="search", label="Facility slug")
    year = django_filters.NumberFilter(field_name="year")

    ARGUMENTS = {
        "q": "q",
        "technique": "technique_iri",
        "dataset": "dataset_pid",
        "procedure": "procedure_slug",
        "facility": "facility_slug",
    }

    class Meta:
        model = Publication
        fields = ["q", "technique", "dataset", "procedure", "facility", "year"]

    def search(self, queryset, name, value):
        """Delegate to :func:`publications.services.search_publications`."""
        matching = services.search_publications(**{self.ARGUMENTS[name]: value})
        return queryset.filter(pk__in=matching.values("pk"))
