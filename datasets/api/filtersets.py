"""Filters of the datasets API: technique (with narrower terms), instrument, text, parameters."""

import django_filters
from django.db.models import Q

from config.api.errors import DomainError
from config.api.filters import BoundedFilterSet
from config.api.text import filter_words
from datasets.models import Dataset, Parameter
from datasets.panosc.units import require_si


def technique_ids(iri: str, exact: bool) -> set[int]:
    """Ids of the term named by ``iri`` and, unless ``exact``, of every narrower term."""
    from ontologies.services import descendant_ids, resolve_term

    term = resolve_term(iri)
    return {term.pk} if exact else descendant_ids([term.pk])


def parameter_range_q(name: str, low, high, unit: str = "") -> Q:
    """Datasets with a parameter ``name`` whose SI value lies in [low, high].

    ``low``/``high`` are in SI units, or in ``unit`` (converted with pint) when it is given.
    """
    matches = Parameter.objects.filter(name=name, dataset__isnull=False)
    for bound, lookup in ((low, "gte"), (high, "lte")):
        if bound is None:
            continue
        if unit:
            bound, si_unit = require_si(bound, unit)
            matches = matches.filter(si_unit=si_unit)
        matches = matches.filter(**{f"si_value__{lookup}": bound})
    return Q(pk__in=matches.values("dataset_id"))


class DatasetFilterSet(BoundedFilterSet):
    """Filters of ``/api/v1/datasets/``."""

    technique = django_filters.CharFilter(
        method="filter_technique", help_text="PaNET IRI (or short id); narrower terms included."
    )
    exact = django_filters.BooleanFilter(
        method="filter_noop", help_text="With technique: only the term itself, not narrower ones."
    )
    instrument = django_filters.CharFilter(field_name="instrument_name", lookup_expr="iexact")
    facility = django_filters.CharFilter(method="filter_facility", help_text="Name or slug.")
    q = django_filters.CharFilter(
        method="filter_text", help_text="Words in title, PID, instrument."
    )
    is_public = django_filters.BooleanFilter()
    parameter = django_filters.CharFilter(
        method="filter_parameter", help_text="Parameter name; with min and/or max."
    )
    min = django_filters.NumberFilter(method="filter_noop", help_text="Lower bound (SI or unit).")
    max = django_filters.NumberFilter(method="filter_noop", help_text="Upper bound (SI or unit).")
    unit = django_filters.CharFilter(method="filter_noop", help_text="Unit of min and max.")

    class Meta:
        model = Dataset
        fields = ["technique", "instrument", "facility", "q", "is_public", "parameter"]

    def filter_noop(self, queryset, name, value):
        """Parameters read by other filters."""
        return queryset

    def filter_queryset(self, queryset):
        """Refuse a range (``min``, ``max``, ``unit``) that names no ``parameter``: it would
        otherwise be silently ignored and answer every dataset."""
        data = self.form.cleaned_data
        orphans = [key for key in ("min", "max", "unit") if data.get(key) not in (None, "")]
        if orphans and not data.get("parameter"):
            raise DomainError(
                f"{' and '.join(orphans)} need a parameter, e.g. ?parameter=wavelength&min=1e-10.",
                details={key: data[key] for key in orphans},
            )
        return super().filter_queryset(queryset)

    def filter_technique(self, queryset, name, value):
        """Datasets tagged with the technique or, unless exact, a narrower one."""
        exact = bool(self.form.cleaned_data.get("exact"))
        return queryset.filter(techniques__in=technique_ids(value, exact)).distinct()

    def filter_facility(self, queryset, name, value):
        """Datasets of a facility given by name or slug."""
        return queryset.filter(Q(facility_name__iexact=value) | Q(facility_slug__iexact=value))

    def filter_text(self, queryset, name, value):
        """Datasets whose title, PID, instrument or facility contain every word."""
        for word in filter_words(value):
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(pid__icontains=word)
                | Q(instrument_name__icontains=word)
                | Q(facility_name__icontains=word)
            )
        return queryset

    def filter_parameter(self, queryset, name, value):
        """Datasets with the parameter, within min..max when given."""
        data = self.form.cleaned_data
        low, high, unit = data.get("min"), data.get("max"), data.get("unit") or ""
        if low is not None and high is not None and low > high:
            raise DomainError(
                "min must not be greater than max.", details={"min": low, "max": high}
            )
        low = float(low) if low is not None else None
        high = float(high) if high is not None else None
        return queryset.filter(parameter_range_q(value, low, high, unit))
