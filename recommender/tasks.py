"""Celery tasks of the recommender: keep the search index in step with the registry."""

from __future__ import annotations

from celery import shared_task

from registry.models import ProcedureVersion


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def sync_version(version_id: int) -> str:
    """Index or remove one version according to its current state; safe to run twice."""
    from recommender.backends import get_backend

    backend = get_backend()
    version = ProcedureVersion.objects.filter(pk=version_id).select_related("procedure").first()
    if version is None:
        backend.remove(ProcedureVersion(pk=version_id))
        return "removed"
    backend.index(version)
    return "synced"
