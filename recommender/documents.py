"""Elasticsearch documents of the recommender: one per published procedure version.

Text fields use the ``standard`` analyzer (the test distribution has no language analyzers);
synonyms and the technique hierarchy are expanded in Python, from the ontology, before indexing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from elasticsearch_dsl import Date, Document, Integer, Keyword, Long, Text

from ontologies.models import Term, TermClosure
from recommender.engine import procedure_tokens
from registry.models import ProcedureVersion

INDEX_VERSION = "v2"  # v2: scoring facts (tokens, published_us) for ranking in the cluster


def index_settings() -> dict:
    """Shards and replicas of a new index, from ``settings.ELASTICSEARCH_REPLICAS``.

    A number (``"0"``, ``"1"``) is a fixed replica count; a range (``"0-1"``, the default) lets
    the cluster follow its size: no replica on one node, one as soon as a second data node joins.
    """
    replicas = str(settings.ELASTICSEARCH_REPLICAS).strip()
    if "-" in replicas:
        return {"number_of_shards": 1, "number_of_replicas": 0, "auto_expand_replicas": replicas}
    return {"number_of_shards": 1, "number_of_replicas": int(replicas)}


def alias_name() -> str:
    """The alias readers use; it points at one versioned index at a time."""
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-procedure-versions"


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def microseconds(moment: datetime | None) -> int | None:
    """``moment`` as whole microseconds since the epoch (exact, unlike Elasticsearch dates,
    which keep milliseconds), so the cluster breaks recency ties as Python does."""
    if moment is None:
        return None
    return (moment - EPOCH) // timedelta(microseconds=1)


class TermLookup:
    """IRI, label, synonyms, search text and ancestors of terms, read in two queries.

    Built once per rebuild (every term) so documents cost no queries for their techniques;
    built for a few terms when one version is indexed.
    """

    def __init__(self, term_ids: Iterable[int] | None = None) -> None:
        closure = TermClosure.objects.all()
        if term_ids is not None:
            term_ids = list(term_ids)
            closure = closure.filter(descendant_id__in=term_ids)
        self.ancestors: dict[int, set[int]] = defaultdict(set)
        for ancestor, descendant in closure.values_list("ancestor_id", "descendant_id"):
            self.ancestors[descendant].add(ancestor)
        wanted = set(term_ids).union(*self.ancestors.values()) if term_ids is not None else None
        terms = Term.objects.all() if wanted is None else Term.objects.filter(pk__in=wanted)
        rows = terms.values_list("pk", "iri", "label", "synonyms", "search_text")
        self.terms = {}
        self.search_text: dict[int, str] = {}
        for pk, iri, label, synonyms, search_text in rows:
            self.terms[pk] = (iri, label, list(synonyms or []))
            self.search_text[pk] = search_text

    def above(self, term_ids: Iterable[int]) -> list[tuple[str, str, list[str]]]:
        """``(iri, label, synonyms)`` of the terms and all their ancestors, by label."""
        ids = set().union(*(self.ancestors.get(pk, {pk}) for pk in term_ids))
        return sorted((self.terms[pk] for pk in ids if pk in self.terms), key=lambda t: t[1:2])


class ProcedureVersionDocument(Document):
    """A published procedure version with its techniques expanded to every ancestor."""

    version_id = Integer()
    procedure_id = Integer()
    procedure_slug = Keyword()
    version = Keyword()
    kind = Keyword()
    techniques = Keyword()
    technique_ancestors = Keyword()
    technique_text = Text(analyzer="standard")
    required_nexus = Keyword()
    facilities = Keyword()
    name = Text(analyzer="standard")
    summary = Text(analyzer="standard")
    description = Text(analyzer="standard")
    keywords = Text(analyzer="standard", fields={"raw": Keyword()})
    successful_runs = Integer()
    published_at = Date()
    # Scoring facts, so the cluster ranks as the shared scoring does: the words text similarity
    # compares (recommender.engine.procedure_tokens) and the publication time in microseconds.
    tokens = Keyword()
    published_us = Long()

    class Index:
        name = "procedure-versions"
        settings = {"number_of_shards": 1, "number_of_replicas": 0}

    @classmethod
    def from_version(
        cls, version: ProcedureVersion, lookup: TermLookup | None = None
    ) -> ProcedureVersionDocument:
        """The document of ``version`` (id = version primary key).

        With ``lookup`` (and techniques and facilities prefetched) it costs no query.
        """
        procedure = version.procedure
        techniques = list(procedure.techniques.all())
        own = [term.pk for term in techniques]
        lookup = lookup or TermLookup(own)
        terms = lookup.above(own) if own else []
        return cls(
            meta={"id": version.pk},
            version_id=version.pk,
            procedure_id=procedure.pk,
            procedure_slug=procedure.slug,
            version=version.version,
            kind=version.kind,
            techniques=sorted(term.iri for term in techniques),
            technique_ancestors=sorted(iri for iri, _, _ in terms),
            technique_text=" ".join(
                [label for _, label, _ in terms] + [s for _, _, synonyms in terms for s in synonyms]
            ),
            required_nexus=list(version.required_nexus or []),
            facilities=sorted(facility.slug for facility in procedure.facilities.all()),
            name=procedure.name,
            summary=procedure.summary,
            description=procedure.description,
            keywords=list(procedure.keywords or []),
            successful_runs=procedure.successful_runs,
            published_at=version.published_at,
            tokens=sorted(
                procedure_tokens(
                    procedure.name,
                    procedure.summary,
                    procedure.keywords,
                    [lookup.search_text.get(pk, "") for pk in own],
                )
            ),
            published_us=microseconds(version.published_at),
        )
