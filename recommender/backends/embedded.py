"""The embedded backend: candidates straight from the database, no search server."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Q

from ontologies.models import Term
from ontologies.services import descendant_ids
from recommender import engine, searching
from recommender.backends.base import SearchBackend
from recommender.query import RecommendationQuery
from recommender.scoring import QueryFacts, Scored, rank
from registry.models import Procedure, ProcedureVersion


class EmbeddedBackend(SearchBackend):
    """Reads candidates from the database through the ontology closure; nothing to index."""

    name = "embedded"

    def index(self, version: ProcedureVersion) -> None:
        """Nothing to do: the database is the index."""

    def remove(self, version: ProcedureVersion) -> None:
        """Nothing to do: the database is the index."""

    def ranked(
        self, query: RecommendationQuery, facts: QueryFacts, facility: str | None, want: int = 10
    ) -> Iterator[Scored]:
        """Every candidate read from the database (:meth:`candidates`), ranked in Python."""
        candidates = engine.facts_from_rows(self.candidates(query, facts, facility))
        return iter(rank(facts, candidates))

    def candidates(
        self, query: RecommendationQuery, facts: QueryFacts, facility: str | None
    ) -> list[tuple]:
        """Latest versions of procedures serving a query technique, an ancestor or a descendant.

        Without techniques, procedures whose text holds one of the query's words. One query.
        """
        if facts.techniques:
            procedures = serving(engine.related_term_ids(facts))
        else:
            condition = Q(pk__in=[])
            for token in facts.tokens:
                condition |= Q(search_text__icontains=token)
            procedures = Procedure.objects.filter(condition).values("pk")
        versions = engine.recommendable_versions(facility).filter(procedure_id__in=procedures)
        return engine.latest_rows(versions)

    def search(self, text: str, facets: dict | None = None) -> dict:
        """Procedures holding every word (in their text or their techniques' names)."""
        facets = facets or {}
        tokens = searching.query_tokens(text)
        procedures = self.matching_procedures(tokens, facets)
        return searching.search_answer(procedures, tokens, facets.get("kind", ""))

    @staticmethod
    def matching_procedures(tokens: list[str], facets: dict):
        """The procedures (a queryset) whose text, or whose techniques' names, hold every word
        of ``tokens`` (:func:`recommender.searching.query_tokens`), within the technique and
        facility facets (a technique counts its narrower ones).

        Each condition is a subquery, not a join, so the number of words is not bounded by
        the database's join limit (SQLite: 64 tables).
        """
        procedures = Procedure.objects.all()
        for token in tokens:
            terms = Term.objects.filter(search_text__icontains=token).values_list("pk", flat=True)
            procedures = procedures.filter(
                Q(search_text__icontains=token) | Q(pk__in=serving(descendant_ids(terms)))
            )
        if facets.get("technique"):
            term = Term.objects.filter(iri=facets["technique"]).first()
            procedures = procedures.filter(pk__in=serving(descendant_ids(term.pk) if term else []))
        if facets.get("facility"):
            offered = Procedure.facilities.through.objects.filter(facility__slug=facets["facility"])
            procedures = procedures.filter(pk__in=offered.values("procedure_id"))
        return procedures


def serving(term_ids):
    """The ids of the procedures on any of ``term_ids`` (a subquery)."""
    return Procedure.techniques.through.objects.filter(term_id__in=term_ids).values("procedure_id")
