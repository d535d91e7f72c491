"""The Elasticsearch backend: the cluster scores and ranks, the shared scoring checks the top.

The ranking query is the shared scoring (:mod:`recommender.scoring`) written as an
Elasticsearch query over the facts each document carries (techniques, words, popularity,
publication time), so a recommendation costs the query's facts (one database query while the
hierarchy is unchanged, :mod:`recommender.hierarchy_cache`), one search, and one database read
of the versions shown.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

from elasticsearch import exceptions as es_exceptions
from elasticsearch_dsl import Search

from config.api.errors import DomainError, ServiceUnavailableError
from recommender import engine, search_index, searching
from recommender.backends.base import SearchBackend
from recommender.documents import EPOCH, INDEX_VERSION, ProcedureVersionDocument, alias_name
from recommender.query import RecommendationQuery
from recommender.scoring import (
    COVERAGE_WEIGHT,
    TEXT_WEIGHT,
    CandidateFacts,
    QueryFacts,
    Scored,
    rank,
    score_candidate,
    technique_match,
)
from registry.models import ProcedureVersion

CANDIDATE_LIMIT = 10_000  # index.max_result_window: every candidate, as the embedded backend
WINDOW = 50  # hits asked for first; enough for the usual k (more when a larger k is asked)
# Above the rounding of the cluster's 32-bit scores (about 1e-7 at scores near 1) and of the
# shared scoring's six decimals: a score this far apart is really lower.
SCORE_SLACK = 1e-5
HIT_FIELDS = [
    "version_id",
    "procedure_slug",
    "techniques",
    "successful_runs",
    "published_us",
    "required_nexus",
    "facilities",
]
TEXT_FIELDS = ["name^3", "keywords^2", "technique_text^2", "summary", "description"]
FILTER_FIELDS = {"facility": "facilities", "kind": "kind"}  # search facets filtered on as such
ID_PAGE = 5_000  # procedure ids per page of a search's composite aggregation


class ElasticsearchBackend(SearchBackend):
    """Keeps one document per published version in a real cluster, behind an alias."""

    name = "elasticsearch"

    def _search(self) -> Search:
        return Search(using=search_index.client(), index=alias_name())

    def index(self, version: ProcedureVersion) -> None:
        """Write the version's document, or delete it when it is no longer recommendable."""
        if not engine.recommendable_versions().filter(pk=version.pk).exists():
            self.remove(version)
            return
        with search_index.reachable():
            search_index.ensure_index()
            document = ProcedureVersionDocument.from_version(version)
            document.save(using=search_index.client(), index=alias_name(), refresh=True)

    def remove(self, version: ProcedureVersion) -> None:
        """Delete the version's document if it is there."""
        with search_index.reachable():
            search_index.client().options(ignore_status=404).delete(
                index=alias_name(), id=str(version.pk), refresh=True
            )

    def ranked(
        self, query: RecommendationQuery, facts: QueryFacts, facility: str | None, want: int = 10
    ) -> Iterator[Scored]:
        """Candidates scored and ordered by the cluster, then rescored exactly, best first.

        The cluster computes the shared scoring (:func:`ranking_query`) and sorts with its
        tie-breaks, one hit per procedure (its latest version), and returns a window of the best
        with the facts the scoring reads (no database query). Hits are rescored in Python by
        :func:`recommender.scoring.score_candidate`, which gives the exact scores and reasons,
        only as far as the caller reads. The cluster's scores are 32-bit floats, so a rescored
        hit is given out once it beats the cluster's score of every hit after it by more than
        ``SCORE_SLACK``; when the caller reads past the window's sure part, every candidate is
        fetched and ranked exactly.
        """
        body = ranking_body(facts, facility)
        size = max(4 * want, WINDOW)
        hits = self._hits(body, size)
        complete = len(hits) < size  # the window holds every candidate
        ids = {iri: pk for pk, iri in facts.iris.items()}
        pending: list[tuple[tuple, int, Scored]] = []  # a heap in the shared order
        shown = set()
        for n, hit in enumerate(hits):
            scored = score_candidate(facts, candidate_of(ids, hit))
            if scored is not None:
                heapq.heappush(pending, (scored.sort_key(), n, scored))
            if n + 1 < len(hits):  # the most any later hit can score
                bound = hits[n + 1]["sort"][0] + SCORE_SLACK
            else:
                bound = float("-inf") if complete else hit["sort"][0] + SCORE_SLACK
            while pending and pending[0][2].score > bound:
                best = heapq.heappop(pending)[2]
                shown.add(best.candidate.version_id)
                yield best
        if complete:
            return
        everything = [candidate_of(ids, hit) for hit in self._hits(body, CANDIDATE_LIMIT)]
        for scored in rank(facts, everything):
            if scored.candidate.version_id not in shown:
                yield scored

    def _hits(self, body: dict, size: int) -> list[dict]:
        """The first ``size`` hits of ``body``: their sort values, doc-value fields and matched
        query words only.

        No ``_source``, no stored fields (not even ``_id``), no total count; ``filter_path``
        trims the rest of the answer.
        """
        try:
            with search_index.reachable():
                response = search_index.client().search(
                    index=alias_name(),
                    body={**body, "size": size},
                    filter_path=[
                        "took",
                        "hits.hits.sort",
                        "hits.hits.fields",
                        "hits.hits.matched_queries",
                    ],
                )
        except es_exceptions.NotFoundError:
            return []
        except es_exceptions.BadRequestError as exc:
            if "too many clauses" in str(exc) or "maxClauseCount" in str(exc):
                raise DomainError(
                    "The query is too large for the search cluster (it relates to too many "
                    "techniques); name fewer or narrower techniques.",
                    code="query_too_large",
                ) from exc
            # Otherwise the index cannot answer the query this code builds: typically one
            # written before the scoring facts (no ``published_us`` to sort on, or documents
            # of this format written into an older index, mapped by guess).
            raise ServiceUnavailableError(
                f"The search index behind {alias_name()} cannot answer the ranking query "
                f"({str(exc)[:300]}); if it predates index format {INDEX_VERSION}, run: "
                "python manage.py search_index rebuild"
            ) from exc
        return response.get("hits", {}).get("hits", [])

    def search(self, text: str, facets: dict | None = None) -> dict:
        """Every word must match (analysed text); the answer is built as the embedded one's
        (:func:`recommender.searching.search_answer`) from the procedures the cluster matched."""
        facets = facets or {}
        tokens = searching.query_tokens(text)  # too many words: refused before the cluster
        search = self._search()
        if text.strip():
            search = search.query(
                "multi_match", query=text, fields=TEXT_FIELDS, operator="and", type="cross_fields"
            )
        if facets.get("technique"):
            search = search.filter("term", technique_ancestors=facets["technique"])
        for name, field in FILTER_FIELDS.items():
            if facets.get(name):
                search = search.filter("term", **{field: facets[name]})
        procedures = self._matching_procedures(search)
        return searching.search_answer(procedures, tokens, facets.get("kind", ""))

    def _matching_procedures(self, search: Search) -> list[int]:
        """The ids of every procedure with a document matching ``search``, however many: pages
        of a composite aggregation (no hit window caps them)."""
        ids: list[int] = []
        after = None
        while True:
            page = search.extra(size=0, track_total_hits=False)
            sources = [{"procedure": {"terms": {"field": "procedure_id"}}}]
            options = {"after": after} if after else {}
            page.aggs.bucket("procedures", "composite", size=ID_PAGE, sources=sources, **options)
            try:
                with search_index.reachable():
                    response = page.execute()
            except es_exceptions.NotFoundError:
                return []
            buckets = response.aggregations.procedures.buckets
            ids += [bucket.key.procedure for bucket in buckets]
            after = response.aggregations.procedures.to_dict().get("after_key")
            if len(buckets) < ID_PAGE or not after:
                return ids


def ranking_body(facts: QueryFacts, facility: str | None) -> dict:
    """The search that scores, filters and orders candidates as the shared scoring does.

    Sorted by score, then successful runs, then publication time (newest first), then slug, as
    :meth:`recommender.scoring.Scored.sort_key`; collapsed on the procedure, whose best hit is
    then its latest version (newest, then highest version id), as
    :func:`recommender.engine.latest_rows`.
    """
    condition = {"must": [ranking_query(facts)]}
    if facility:
        anywhere = {"bool": {"must_not": [{"exists": {"field": "facilities"}}]}}
        at = {"bool": {"should": [{"term": {"facilities": facility}}, anywhere]}}
        condition["filter"] = [at]
    return {
        "query": {"bool": condition},
        "sort": [
            {"_score": "desc"},
            {"successful_runs": "desc"},
            {"published_us": {"order": "desc", "missing": "_last"}},
            {"procedure_slug": "asc"},
            {"version_id": "desc"},
        ],
        "collapse": {"field": "procedure_id"},
        "_source": False,
        "stored_fields": "_none_",
        "docvalue_fields": HIT_FIELDS,
        "track_total_hits": False,
    }


def ranking_query(facts: QueryFacts) -> dict:
    """:func:`recommender.scoring.score_candidate` as an Elasticsearch query.

    Per query technique, the best relation of any of the document's techniques
    (``dis_max`` of constant scores, one per weight); over the query techniques, the best of
    those plus ``COVERAGE_WEIGHT`` times their sum divided by the total confidence — a
    ``dis_max`` whose tie breaker and boost give exactly that; plus ``TEXT_WEIGHT`` times the
    share of the query's words the document holds. With query techniques a document must
    match one of them; without, one of the words.
    """
    words = [  # named, so each hit says which query words it holds (``matched_queries``)
        constant(
            {"term": {"tokens": {"value": word, "_name": word}}}, TEXT_WEIGHT / len(facts.tokens)
        )
        for word in sorted(facts.tokens)
    ]
    if not facts.techniques:
        return {"bool": {"should": words, "minimum_should_match": 1}}
    per_technique = []
    for query_id, confidence in facts.techniques.items():
        by_weight: dict[float, list[str]] = defaultdict(list)
        related = [
            query_id,
            *facts.ancestors.get(query_id, {}),
            *facts.descendants.get(query_id, {}),
        ]
        for term_id in related:
            match = technique_match(facts, query_id, term_id)
            by_weight[round(match["weight"] * confidence, 6)].append(facts.iris[term_id])
        best_relation = [
            constant({"terms": {"techniques": sorted(iris)}}, weight)
            for weight, iris in sorted(by_weight.items(), reverse=True)
        ]
        per_technique.append({"dis_max": {"queries": best_relation}})
    total = sum(facts.techniques.values())
    share = COVERAGE_WEIGHT / total if total > 0 else 0.0
    # (1 + s) * (best + t * (sum - best)) with t = s / (1 + s) is best + s * sum.
    techniques = {
        "dis_max": {
            "queries": per_technique,
            "tie_breaker": share / (1 + share),
            "boost": 1 + share,
        }
    }
    return {"bool": {"must": [techniques], "should": words}}


def constant(condition: dict, score: float) -> dict:
    """A query clause scoring ``score`` for each document matching ``condition``."""
    return {"constant_score": {"filter": condition, "boost": score}}


def candidate_of(ids: dict[str, int], hit: dict) -> CandidateFacts:
    """The scoring facts of one hit of :func:`ranking_body`, read from its doc values.

    ``ids`` maps the IRIs of the terms the query relates to (``QueryFacts.iris``) to their ids;
    other techniques get ids that match nothing, as they cannot score. Of the document's words,
    only the query's come back (its named word clauses), which is all text similarity reads.
    """
    fields = hit["fields"]
    techniques = fields.get("techniques", [])
    published = fields.get("published_us")
    return CandidateFacts(
        version_id=fields["version_id"][0],
        technique_ids=frozenset(ids.get(iri, -n) for n, iri in enumerate(techniques, 1)),
        tokens=frozenset(hit.get("matched_queries", ())),  # the query's words it holds
        successful_runs=fields["successful_runs"][0],
        published_at=EPOCH + timedelta(microseconds=published[0]) if published else None,
        slug=fields["procedure_slug"][0],
        required_nexus=tuple(fields.get("required_nexus", ())),
        facilities=tuple(fields.get("facilities", ())),
    )
