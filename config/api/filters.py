"""The base of every API filter set: text filter values are bounded in length.

A text filter becomes a ``LIKE`` pattern (``icontains``, ``iexact`` on SQLite), and SQLite
refuses patterns past 50,000 bytes ("LIKE or GLOB pattern too complex"), which answered 503 as
if the database were down. No identifier, IRI or search of the registry comes near
``MAX_TEXT_LENGTH`` characters, so a longer value is refused with a 400 before any query.
"""

from __future__ import annotations

import django_filters

from config.api.text import MAX_TEXT_LENGTH


class BoundedFilterSet(django_filters.FilterSet):
    """A filter set whose text filters refuse values past ``MAX_TEXT_LENGTH`` characters
    (400, ``invalid``, naming the filter)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for text_filter in self.filters.values():  # each instance's own copies
            if isinstance(text_filter, django_filters.CharFilter):
                text_filter.extra.setdefault("max_length", MAX_TEXT_LENGTH)
