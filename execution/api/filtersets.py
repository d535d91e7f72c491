"""Filters of the runs list."""

import django_filters

from config.api.filters import BoundedFilterSet
from execution.choices import BackendName, RunState
from execution.models import Run


class RunFilterSet(BoundedFilterSet):
    """Filter runs by state, procedure slug, backend and facility."""

    state = django_filters.MultipleChoiceFilter(choices=RunState.choices)
    procedure = django_filters.CharFilter(field_name="version__procedure__slug")
    version = django_filters.CharFilter(field_name="version__version")
    backend = django_filters.ChoiceFilter(choices=BackendName.choices)
    facility = django_filters.CharFilter(field_name="facility_slug")

    class Meta:
        model = Run
        fields = ["state", "procedure", "version", "backend", "facility"]
