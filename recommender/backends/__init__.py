"""Recommender backends; :func:`get_backend` picks the one named by ``settings.SEARCH_BACKEND``."""

from __future__ import annotations

from django.conf import settings

from config.api.errors import DomainError
from recommender.backends.base import Recommendation, SearchBackend

__all__ = ["Recommendation", "SearchBackend", "get_backend"]


def get_backend(name: str | None = None) -> SearchBackend:
    """The backend called ``name`` (default ``settings.SEARCH_BACKEND``): embedded or elasticsearch."""
    name = (name or settings.SEARCH_BACKEND or "embedded").lower()
    if name == "embedded":
        from recommender.backends.embedded import EmbeddedBackend

        return EmbeddedBackend()
    if name == "elasticsearch":
        from recommender.backends.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend()
    raise DomainError(
        f"Unknown search backend {name!r}; use embedded or elasticsearch.",
        code="unknown_backend",
    )
