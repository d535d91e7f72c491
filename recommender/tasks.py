"""Celery tasks of the recommender: keep the search index in step with the registry."""

from __future__ import annotations

from celery import shared_task

from config.api.errors import ServiceUnavailableError
from registry.models import ProcedureVersion

# search_index.reachable() turns a cluster that cannot serve (elastic_transport's
# ConnectionError and timeouts, 5xx, 429) into ServiceUnavailableError; OSError covers a socket
# error raised outside it.
RETRIED = (ServiceUnavailableError, OSError)


@shared_task(
    acks_late=True, autoretry_for=RETRIED, retry_backoff=True, retry_backoff_max=300,
    retry_jitter=True, max_retries=5,
)  # fmt: skip
def sync_version(version_id: int) -> str:
    """Index or remove one version according to its current state; safe to run twice.

    Retried with exponential backoff while the search cluster cannot serve.
    """
    from recommender.backends import get_backend

    backend = get_backend()
    version = ProcedureVersion.objects.filter(pk=version_id).select_related("procedure").first()
    if version is None:
        backend.remove(ProcedureVersion(pk=version_id))
        return "removed"
    backend.index(version)
    return "synced"
