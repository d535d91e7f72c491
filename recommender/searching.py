"""Shared parts of free-text search: the answer built from the procedures a backend matched.

A backend decides which procedures match (the database's substring filters, or the cluster's
analysed text); what the answer holds is computed here, the same for both: the latest published
version of each, scored by the share of the search words its text holds, ordered, and counted
per facet. It reads plain values in three queries whatever the number of matches (no model
instances), so a search matching the whole catalogue stays cheap.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from config.api.text import check_text_length, check_word_count
from recommender import engine
from recommender.scoring import tokenize
from registry.models import Procedure

FACETS = ("technique", "facility", "kind")

# What a result shows of the latest version, read as plain values.
RESULT_FIELDS = (
    "pk",
    "procedure_id",
    "procedure__slug",
    "procedure__name",
    "procedure__summary",
    "procedure__keywords",
    "procedure__successful_runs",
    "version",
    "kind",
)
SLUG, RUNS, KIND = 2, 6, 8  # positions in RESULT_FIELDS


def search_answer(procedures: QuerySet | Iterable[int], tokens: list[str], kind: str = "") -> dict:
    """``{"results": SearchResults, "facets": {technique, facility, kind}}`` for matched
    procedures.

    ``procedures``: a queryset of procedures, or their ids; ``tokens``: the search's words
    (:func:`query_tokens`), which score the results. Each procedure is shown as its latest
    published version (deprecated ones not at all) and, with ``kind``, only when that version
    is of this kind. Results are ordered by score, then successful runs, then slug; facet
    counts are over all results.
    """
    rows: list[tuple] = []
    iris, words = defaultdict(list), defaultdict(list)  # of each procedure's techniques
    facilities = defaultdict(list)
    labels: dict[str, str] = {}
    within = procedure_filter(procedures)
    if within is not None:
        versions = engine.recommendable_versions().filter(procedure_id__in=within)
        rows = engine.latest_rows(versions, RESULT_FIELDS)
        through = Procedure.techniques.through.objects.filter(procedure_id__in=within)
        for procedure_id, iri, label, text_of_term in through.values_list(
            "procedure_id", "term__iri", "term__label", "term__search_text"
        ):
            iris[procedure_id].append(iri)
            words[procedure_id].append(text_of_term)
            labels[iri] = label
        offered = Procedure.facilities.through.objects.filter(procedure_id__in=within)
        for procedure_id, slug in offered.values_list("procedure_id", "facility__slug"):
            facilities[procedure_id].append(slug)
    if kind:
        rows = [row for row in rows if row[KIND] == kind]
    scores: dict[int, float] = {}  # by version id; without words every result scores 1
    if tokens:
        for pk, procedure_id, _slug, name, summary, keywords, *_ in rows:
            held = engine.procedure_tokens(name, summary, keywords, words[procedure_id])
            scores[pk] = round(sum(1 for token in tokens if token in held) / len(tokens), 6)
    # Few objects per result (a search may match the whole catalogue): the rows as read, sorted
    # in place; what each result shows is built when read (SearchResults).
    rows.sort(key=lambda row: (-scores.get(row[0], 1.0), -row[RUNS], row[SLUG]))
    counts = {name: Counter() for name in FACETS}
    for row in rows:
        counts["technique"].update(iris[row[1]])
        counts["facility"].update(facilities[row[1]])
    counts["kind"].update(row[KIND] for row in rows)
    results = SearchResults(rows, scores, iris, facilities)
    return {"results": results, "facets": facet_list(counts, labels)}


class SearchResults(Sequence):
    """The ordered results of a search, each a dict built when read: a page of a search that
    matches the whole catalogue costs only its own rows."""

    def __init__(self, rows: list[tuple], scores: dict, iris: dict, facilities: dict) -> None:
        self.rows, self.scores, self.iris, self.facilities = rows, scores, iris, facilities

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.result(row) for row in self.rows[index]]
        return self.result(self.rows[index])

    def result(self, row: tuple) -> dict:
        """One result: the procedure, its latest published version, its score."""
        pk, procedure_id, slug, name, summary, _keywords, _runs, version, kind = row
        return {
            "procedure": slug,
            "name": name,
            "summary": summary,
            "version": version,
            "kind": kind,
            "techniques": sorted(self.iris[procedure_id]),
            "facilities": sorted(self.facilities[procedure_id]),
            "score": self.scores.get(pk, 1.0),
        }


def procedure_filter(procedures: QuerySet | Iterable[int]):
    """``procedures`` as a value for ``procedure_id__in`` (``None`` when no procedure): a
    queryset as its own subquery, ids as :func:`id_subquery`."""
    if isinstance(procedures, QuerySet):
        return procedures.values("pk")
    ids = sorted({int(pk) for pk in procedures})
    return id_subquery(ids) if ids else None


def id_subquery(ids: list[int]):
    """A subquery listing ``ids`` from one bind parameter, so that any number of them passes
    (no bind-parameter limit) without per-id work in the ORM, which dominates a search matching
    thousands of procedures: a JSON array read by ``json_each`` on SQLite, an array unnested
    on PostgreSQL, the plain list elsewhere."""
    vendor = connection.vendor
    if vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    if vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])
    return ids


def facet_list(counts: dict[str, Counter], labels: dict[str, str]) -> dict[str, list[dict]]:
    """Facet counts (results per technique, facility and kind) as lists, most frequent first."""
    return {
        name: [
            {"value": value, "label": labels.get(value, value), "count": count}
            for value, count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        ]
        for name, counter in counts.items()
    }


def query_tokens(text: str) -> list[str]:
    """The words of a search text, sorted; refused (400 ``query_too_large``) past
    :data:`config.api.text.MAX_WORDS` or ``MAX_TEXT_LENGTH``, on both backends."""
    check_text_length(text or "")
    tokens = sorted(tokenize(text or ""))
    check_word_count(len(tokens))
    return tokens
