"""The recommender backend interface and what it returns.

A backend finds and orders candidate procedure versions its own way (the database, or the
search cluster); the scores, reasons and tie-breaks are those of the one shared scoring
(:mod:`recommender.scoring`), and compatibility and explanations are shared too
(:mod:`recommender.engine`), so backends agree.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field

from recommender import engine
from recommender.query import RecommendationQuery
from recommender.scoring import SCORING_VERSION, QueryFacts, Scored
from registry.models import ProcedureVersion


@dataclass
class Recommendation:
    """One recommended procedure version, with its score and why."""

    procedure_version: ProcedureVersion
    score: float
    explanation: str
    reasons: list[dict] = field(default_factory=list)
    compatibility: dict = field(default_factory=dict)
    engine_version: str = ""

    def as_dict(self) -> dict:
        """The recommendation as the API and CLI give it."""
        version = self.procedure_version
        procedure = version.procedure
        return {
            "procedure": procedure.slug,
            "name": procedure.name,
            "summary": procedure.summary,
            "version": version.version,
            "kind": version.kind,
            "score": self.score,
            "explanation": self.explanation,
            "reasons": self.reasons,
            "compatibility": self.compatibility,
            "engine_version": self.engine_version,
        }


class SearchBackend(ABC):
    """Indexes published procedure versions, recommends them for datasets, searches them."""

    name = "base"

    @property
    def engine_version(self) -> str:
        """Backend name and scoring version, reported with every recommendation."""
        return f"{self.name}/{SCORING_VERSION}"

    @abstractmethod
    def index(self, version: ProcedureVersion) -> None:
        """Make ``version`` findable (or forget it when it is no longer recommendable)."""

    @abstractmethod
    def remove(self, version: ProcedureVersion) -> None:
        """Forget ``version``."""

    @abstractmethod
    def ranked(
        self, query: RecommendationQuery, facts: QueryFacts, facility: str | None, want: int = 10
    ) -> Iterator[Scored]:
        """The latest published versions fitting ``query``, scored and best first.

        ``want`` says how many the caller expects to read (a hint: it may read more).

        Scores, reasons and order are those of the shared scoring
        (:func:`recommender.scoring.rank`) whichever way the backend finds the candidates, so
        the backends agree. Lazy: the caller stops reading once it has what it shows.
        """

    @abstractmethod
    def search(self, text: str, facets: dict | None = None) -> dict:
        """Free-text search: ``{"results": [...], "facets": {technique, facility, kind}}``."""

    def recommend(
        self, query: RecommendationQuery, k: int = 5, filters: dict | None = None
    ) -> list[Recommendation]:
        """The ``k`` best versions for ``query``, best first.

        ``filters``: ``facility`` (slug) and ``include_incompatible`` (list versions whose
        required NeXus items are missing, flagged, instead of leaving them out).
        """
        filters = filters or {}
        facility = filters.get("facility") or query.facility
        facts, labels, _unknown = engine.query_facts(query)
        if not facts.techniques and not facts.tokens:
            return []
        ranked = self.ranked(query, facts, facility, want=k)
        results: list[Recommendation] = []
        while len(results) < k:
            chosen = []
            for scored in ranked:
                compat = engine.compatibility(query, scored.candidate)
                if compat["compatible"] is False and not filters.get("include_incompatible"):
                    continue
                chosen.append((scored, compat))
                if len(chosen) >= k - len(results):
                    break
            if not chosen:
                break
            # A version the index still holds but the database no longer recommends (its sync
            # after commit has not run yet) is skipped, and the next candidates read instead.
            versions = engine.load_versions(
                (scored.candidate.version_id for scored, _ in chosen), facility
            )
            results += [
                Recommendation(
                    procedure_version=versions[scored.candidate.version_id],
                    score=scored.score,
                    explanation=engine.explain(scored, labels, compat, query.data_facility_name),
                    reasons=scored.reasons,
                    compatibility=compat,
                    engine_version=self.engine_version,
                )
                for scored, compat in chosen
                if scored.candidate.version_id in versions
            ]
        return results
