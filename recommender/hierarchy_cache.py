"""The hierarchy facts a recommendation reads, kept per process for one hierarchy revision.

Every recommendation needs the query's terms (from IRIs or short ids) and the closure links
around them. Both change only when terms or the hierarchy change, and every such change, in any
process, gives the stored state a new revision token (:mod:`ontologies.revision`). So the
facts are cached here and the cache is valid while the token is: one cheap query (the token)
replaces the term and closure queries.

The token is read before the facts, so a change that commits in between is at worst cached
under the older token, which the next call finds outdated; and facts read while another thread
started afresh under a newer token are not kept (:meth:`HierarchyCache.store`).

One answer may look the hierarchy up several times (the techniques it reports, then each
backend pass); inside :meth:`HierarchyCache.one_revision` the token is read once, so every
step of the answer sees the same revision.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db.models import Value

from ontologies import revision
from ontologies.models import Term, TermClosure

LIMIT = 20_000  # cached keys, and terms with links, each; beyond, the cache starts afresh

# True inside one_revision(), once the token has been read there (per thread and task).
_token_checked = contextvars.ContextVar("hierarchy_token_checked", default=False)


@dataclass(frozen=True)
class TermFact:
    """The facts of one term a recommendation cites."""

    pk: int
    iri: str
    label: str


@dataclass(frozen=True)
class Link:
    """One closure link from a query term to a term above (``up``) or below it."""

    other: TermFact
    depth: int
    up: bool


class HierarchyCache:
    """Terms by query key and closure links by term id, valid for one revision token."""

    def __init__(self, limit: int = LIMIT):
        self.limit = limit
        self.token: str | None = None
        self.terms: dict[str, TermFact | None] = {}  # None: the key names no term
        self.links: dict[int, tuple[Link, ...]] = {}
        self.lock = threading.Lock()

    def current(self) -> None:
        """Start afresh when the stored hierarchy has a new token (one query; none inside
        :meth:`one_revision`, where the token was read on entry)."""
        if _token_checked.get():
            return
        token = revision.current_token()
        if token != self.token or len(self.terms) > self.limit or len(self.links) > self.limit:
            self.start_afresh(token)

    @contextmanager
    def one_revision(self) -> Iterator[None]:
        """Read the token once for the whole block: the lookups of one answer share it.

        Nested blocks reuse the outer reading. Keep the block to one request: an edit that
        commits meanwhile is seen by the next one.
        """
        if _token_checked.get():
            yield
            return
        self.current()
        reset = _token_checked.set(True)
        try:
            yield
        finally:
            _token_checked.reset(reset)

    def start_afresh(self, token: str | None = None) -> None:
        """Forget every cached fact; keep facts read from now on under ``token`` (``None``: the
        next :meth:`current` reads the token and starts afresh again)."""
        with self.lock:
            self.token, self.terms, self.links = token, {}, {}

    def resolve(self, keys: list[str]) -> dict[str, TermFact | None]:
        """The term each key (an IRI or a short id) names, or ``None``."""
        token, cached = self.generation("terms")
        found = {key: cached[key] for key in keys if key in cached}
        missing = [key for key in keys if key not in found]
        if missing:
            read: dict[str, TermFact | None] = dict.fromkeys(missing)
            by_iri = Term.objects.filter(iri__in=missing).values_list("pk", "iri", "label")
            for pk, iri, label in by_iri:
                read[iri] = TermFact(pk, iri, label)
            for key in missing:
                if read[key] is None and "://" not in key:
                    row = (
                        Term.objects.filter(iri__endswith=f"/{key}")
                        .values_list("pk", "iri", "label")
                        .first()
                    )
                    read[key] = TermFact(*row) if row else None
            self.store(token, "terms", read)
            found.update(read)
        return {key: found[key] for key in keys}

    def links_of(self, term_ids: Iterable[int]) -> dict[int, tuple[Link, ...]]:
        """Every closure link above and below each term (one query for those not cached)."""
        token, cached = self.generation("links")
        term_ids = list(term_ids)
        found = {pk: cached[pk] for pk in term_ids if pk in cached}
        missing = [pk for pk in term_ids if pk not in found]
        if missing:
            read: dict[int, list[Link]] = {pk: [] for pk in missing}
            for own, other, iri, label, depth, up in closure_links(missing):
                read[own].append(Link(TermFact(other, iri, label), depth, bool(up)))
            fresh = {pk: tuple(links) for pk, links in read.items()}
            self.store(token, "links", fresh)
            found.update(fresh)
        return {pk: found[pk] for pk in term_ids}

    def generation(self, name: str) -> tuple[str | None, dict]:
        """The token and one of its caches (``terms`` or ``links``), read together."""
        with self.lock:
            return self.token, getattr(self, name)

    def store(self, token: str | None, name: str, read: dict) -> None:
        """Keep facts read under ``token``, unless another thread has started afresh since:
        they may predate the change that thread saw."""
        with self.lock:
            if self.token == token:
                getattr(self, name).update(read)


def closure_links(term_ids: list[int]):
    """Rows (own id, other id, other IRI, other label, depth, up) of the closure around
    ``term_ids``, both directions in one query."""
    up = TermClosure.objects.filter(descendant_id__in=term_ids, depth__gt=0).annotate(up=Value(1))
    down = TermClosure.objects.filter(ancestor_id__in=term_ids, depth__gt=0).annotate(up=Value(0))
    return up.values_list(
        "descendant_id", "ancestor_id", "ancestor__iri", "ancestor__label", "depth", "up"
    ).union(
        down.values_list(
            "ancestor_id", "descendant_id", "descendant__iri", "descendant__label", "depth", "up"
        ),
        all=True,
    )


hierarchy = HierarchyCache()
