"""Managing the Elasticsearch index: connection, rebuild behind an alias, status, check."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from elasticsearch import Elasticsearch, helpers
from elasticsearch import exceptions as es_exceptions
from elasticsearch.serializer import JsonSerializer

from config.api.errors import ServiceUnavailableError
from recommender.documents import (
    INDEX_VERSION,
    ProcedureVersionDocument,
    TermLookup,
    alias_name,
    index_settings,
)
from recommender.engine import recommendable_versions

_clients: dict[str, Elasticsearch] = {}
# Seconds an index dropped from the alias lives on, so searches that resolved the alias just
# before the swap still find their shards.
OLD_INDEX_GRACE_SECONDS = 2.0
# How long a rebuild waits for the new index's replicas to start before swapping the alias.
REPLICAS_WAIT = "60s"


def client() -> Elasticsearch:
    """A client of ``settings.ELASTICSEARCH_URL`` (one per URL, reused).

    The URL may list several nodes separated by commas; a request that cannot reach one node is
    retried on another.
    """
    url = settings.ELASTICSEARCH_URL
    if url not in _clients:
        nodes = [node.strip() for node in url.split(",") if node.strip()]
        _clients[url] = Elasticsearch(
            nodes, request_timeout=30, retry_on_timeout=True, max_retries=max(3, len(nodes))
        )
    return _clients[url]


def unavailable(exc: Exception) -> ServiceUnavailableError:
    """The API error for a search cluster that cannot be reached."""
    return ServiceUnavailableError(
        f"Elasticsearch at {settings.ELASTICSEARCH_URL} is not reachable: {exc}"
    )


def is_unavailable(exc: Exception) -> bool:
    """Whether ``exc`` means the cluster cannot serve now (unreachable, no master, overloaded)."""
    if isinstance(exc, es_exceptions.ConnectionError | es_exceptions.ConnectionTimeout):
        return True
    status = getattr(exc, "status_code", None) if isinstance(exc, es_exceptions.ApiError) else None
    return isinstance(status, int) and (status >= 500 or status == 429)


@contextmanager
def reachable() -> Iterator[None]:
    """Turn the errors of a cluster that cannot serve into :class:`ServiceUnavailableError`."""
    try:
        yield
    except (es_exceptions.TransportError, es_exceptions.ApiError) as exc:
        if is_unavailable(exc):
            raise unavailable(exc) from exc
        raise


def indexable_versions():
    """Published versions of procedures that are not deprecated, with what documents need."""
    return (
        recommendable_versions()
        .select_related("procedure")
        .prefetch_related("procedure__techniques", "procedure__facilities")
        .order_by("pk")
    )


def create_index(name: str) -> None:
    """Create index ``name`` with the document mapping and :func:`index_settings`."""
    index = ProcedureVersionDocument._index.clone(name)
    index.settings(**index_settings())
    index.create(using=client())


def rebuild(progress: Callable[[int], None] | None = None, chunk_size: int = 500) -> dict:
    """Write every indexable version into a new index, then swap the alias in one call.

    The old indices are deleted a moment later (``OLD_INDEX_GRACE_SECONDS``), so readers never
    see an empty or missing index.
    """
    es = client()
    name = (
        f"{alias_name()}-{INDEX_VERSION}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 10**6}"
    )
    create_index(name)
    started = time.perf_counter()
    lookup = TermLookup()

    def actions():
        for version in indexable_versions().iterator(chunk_size=chunk_size):
            document = ProcedureVersionDocument.from_version(version, lookup)
            if progress:
                progress(1)
            yield {"_index": name, "_id": version.pk, "_source": document.to_dict()}

    count, _ = helpers.bulk(es, actions(), chunk_size=chunk_size, refresh=True)
    # Every copy started before readers move over: losing a node right after the swap must not
    # lose the only started copy of a shard. Replicas the cluster cannot place (more than its
    # nodes) are not waited for beyond REPLICAS_WAIT; the health says so.
    health = wait_for_copies(name)
    old = current_indices()
    changes = [{"remove": {"index": index, "alias": alias_name()}} for index in old]
    es.indices.update_aliases(actions=[*changes, {"add": {"index": name, "alias": alias_name()}}])
    if old:
        time.sleep(OLD_INDEX_GRACE_SECONDS)
    for index in old:
        es.indices.delete(index=index, ignore_unavailable=True)
    seconds = time.perf_counter() - started
    return {
        "index": name,
        "documents": count,
        "seconds": seconds,
        "removed": old,
        "health": health,
    }


def wait_for_copies(name: str) -> str:
    """Wait (up to ``REPLICAS_WAIT``) for every copy of index ``name`` to start; its health."""
    es = client()
    try:
        return es.cluster.health(index=name, wait_for_status="green", timeout=REPLICAS_WAIT)[
            "status"
        ]
    except es_exceptions.ApiError as exc:
        if getattr(exc, "status_code", None) == 408:  # timed out: the health as it is
            return es.cluster.health(index=name)["status"]
        raise


def current_indices() -> list[str]:
    """The indices the alias points at (none before the first build)."""
    try:
        return list(client().indices.get_alias(name=alias_name()).keys())
    except es_exceptions.NotFoundError:
        return []


def ensure_index() -> None:
    """Create the first versioned index behind the alias when there is none."""
    es = client()
    if not es.indices.exists_alias(name=alias_name()):
        name = f"{alias_name()}-{INDEX_VERSION}-initial-{time.time_ns() % 10**9}"
        create_index(name)
        es.indices.put_alias(index=name, name=alias_name())


def status() -> dict:
    """The alias, the index behind it, its document count, the cluster health, and whether
    the index has this code's format (``INDEX_VERSION``; else run ``search_index rebuild``)."""
    es = client()
    health = es.cluster.health()["status"]
    answer = {"alias": alias_name(), "indices": [], "documents": 0, "health": health,
              "format": INDEX_VERSION, "format_current": False}  # fmt: skip
    try:
        indices = list(es.indices.get_alias(name=alias_name()).keys())
    except es_exceptions.NotFoundError:
        return answer
    current = all(name.startswith(f"{alias_name()}-{INDEX_VERSION}-") for name in indices)
    count = es.count(index=alias_name())["count"]
    return answer | {"indices": indices, "documents": count, "format_current": current}


def comparable(source: dict) -> dict:
    """A document's source as the cluster stores it (dates as ISO text), for comparison."""
    return json.loads(JsonSerializer().dumps(source))


def check() -> dict:
    """Differences between the database and the index: missing, extra and stale documents.

    A document is stale when any field differs from the one the database gives today
    (techniques and their ancestors, facilities, text, popularity, ...).
    """
    es = client()
    lookup = TermLookup()
    wanted = {
        str(v.pk): comparable(ProcedureVersionDocument.from_version(v, lookup).to_dict())
        for v in indexable_versions()
    }
    stored = {hit["_id"]: hit["_source"] for hit in helpers.scan(es, index=alias_name())}
    return {
        "missing": sorted(set(wanted) - set(stored), key=int),
        "extra": sorted(set(stored) - set(wanted), key=int),
        "stale": sorted(
            (k for k in wanted.keys() & stored.keys() if wanted[k] != stored[k]), key=int
        ),
    }
