"""Filters of the audit API."""

import django_filters

from audit.choices import AuditAction
from audit.models import AuditEntry
from config.api.filters import BoundedFilterSet


class AuditEntryFilterSet(BoundedFilterSet):
    """Filter by action, object, actor and time range."""

    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    actor = django_filters.CharFilter(field_name="actor_name")
    since = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lt")

    class Meta:
        model = AuditEntry
        fields = ["action", "object_type", "object_id", "actor", "since", "until"]
