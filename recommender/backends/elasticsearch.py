"""The Elasticsearch backend: the index finds candidates, the shared scoring ranks them."""

from __future__ import annotations

from elasticsearch import exceptions as es_exceptions
from elasticsearch_dsl import A, Search

from ontologies.models import Term
from recommender import engine, search_index
from recommender.backends.base import SearchBackend
from recommender.backends.embedded import build_search_answer
from recommender.documents import ProcedureVersionDocument, alias_name
from recommender.query import RecommendationQuery
from recommender.scoring import QueryFacts
from registry.models import ProcedureVersion

CANDIDATE_LIMIT = 10_000  # index.max_result_window: every candidate, as the embedded backend
TEXT_FIELDS = ["name^3", "keywords^2", "technique_text^2", "summary", "description"]
FACET_FIELDS = {"technique": "techniques", "facility": "facilities", "kind": "kind"}


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

    def candidates(
        self, query: RecommendationQuery, facts: QueryFacts, facility: str | None
    ) -> list[tuple]:
        """Versions whose techniques (with ancestors) meet the query's; else matching text."""
        if facts.techniques:  # a yes/no condition: filter context, no relevance scoring
            own = [facts.iris[pk] for pk in facts.techniques]
            above = [facts.iris[pk] for ups in facts.ancestors.values() for pk in ups]
            should = [
                {"terms": {"techniques": own + above}},
                {"terms": {"technique_ancestors": own}},
            ]
            condition = {"filter": [{"bool": {"should": should}}]}
        else:
            words = " ".join(sorted(facts.tokens))
            condition = {"must": [{"multi_match": {"query": words, "fields": TEXT_FIELDS}}]}
        if facility:
            anywhere = {"bool": {"must_not": [{"exists": {"field": "facilities"}}]}}
            at = {"bool": {"should": [{"term": {"facilities": facility}}, anywhere]}}
            condition.setdefault("filter", []).append(at)
        return engine.candidate_rows(self._procedure_ids({"bool": condition}), facility)

    def _procedure_ids(self, query: dict) -> set[int]:
        """Procedure ids of every hit of ``query``, read from the index's doc values.

        Only what the ranking needs crosses the wire: no ``_source``, no stored fields (not even
        ``_id``), no total count, and ``filter_path`` trims the rest. A plain body, not an
        elasticsearch-dsl object, because it is rebuilt for every recommendation.
        """
        body = {
            "query": query,
            "size": CANDIDATE_LIMIT,
            "_source": False,
            "stored_fields": "_none_",
            "docvalue_fields": ["procedure_id"],
            "track_total_hits": False,
        }
        try:
            with search_index.reachable():
                response = search_index.client().search(
                    index=alias_name(), body=body, filter_path=["took", "hits.hits.fields"]
                )
        except es_exceptions.NotFoundError:
            return set()
        hits = response.get("hits", {}).get("hits", [])
        return {hit["fields"]["procedure_id"][0] for hit in hits}

    def _execute(self, search: Search):
        try:
            with search_index.reachable():
                return search.execute()
        except es_exceptions.NotFoundError:
            return []

    def search(self, text: str, facets: dict | None = None) -> dict:
        """Every word must match; facet counts are distinct procedures per bucket."""
        facets = facets or {}
        search = self._search().source(["procedure_id"])
        if text.strip():
            search = search.query(
                "multi_match", query=text, fields=TEXT_FIELDS, operator="and", type="cross_fields"
            )
        if facets.get("technique"):
            search = search.filter("term", technique_ancestors=facets["technique"])
        for name in ("facility", "kind"):
            if facets.get(name):
                search = search.filter("term", **{FACET_FIELDS[name]: facets[name]})
        for name, field in FACET_FIELDS.items():
            bucket = A("terms", field=field, size=100)
            bucket.metric("procedures", "cardinality", field="procedure_slug")
            search.aggs.bucket(name, bucket)
        response = self._execute(search[:CANDIDATE_LIMIT])
        if not response:
            return {"results": [], "facets": {name: [] for name in FACET_FIELDS}}
        versions = engine.latest_versions({hit.procedure_id for hit in response})
        if facets.get("kind"):
            versions = [v for v in versions if v.kind == facets["kind"]]
        answer = build_search_answer(versions, sorted(engine.tokenize(text)))
        answer["facets"] = self._facets(response)
        return answer

    @staticmethod
    def _facets(response) -> dict:
        iris = [b.key for b in response.aggregations.technique.buckets]
        labels = dict(Term.objects.filter(iri__in=iris).values_list("iri", "label"))
        return {
            name: [
                {"value": b.key, "label": labels.get(b.key, b.key), "count": b.procedures.value}
                for b in sorted(
                    getattr(response.aggregations, name).buckets,
                    key=lambda b: (-b.procedures.value, b.key),
                )
            ]
            for name in FACET_FIELDS
        }
