"""The one scoring function both backends share, so they rank candidates identically.

Everything here is pure: it takes plain facts about the query and about one candidate version
(already read from the database or the index) and returns a score with its reasons. No queries.

Ranking order: an exact technique match beats any match through the hierarchy (broader or
narrower, decaying with distance; narrower counts less), which beats text similarity alone.
Ties are broken by popularity (``successful_runs``) and then recency (``published_at``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

SCORING_VERSION = "1.0.0"

EXACT_WEIGHT = 1.0
BROADER_WEIGHT = 0.6  # the procedure serves a broader technique than the dataset's
NARROWER_WEIGHT = 0.45  # the procedure serves a narrower technique than the dataset's
DISTANCE_DECAY = 0.75  # each further step in the hierarchy multiplies the weight by this
COVERAGE_WEIGHT = 0.1  # bonus for matching more of the query's techniques
TEXT_WEIGHT = 0.1  # text similarity never lifts a hierarchy match above an exact one
STOPWORDS = frozenset("a an and as at by for from in into is of on or the to with".split())


@dataclass(frozen=True)
class QueryFacts:
    """What the scoring needs to know about a query.

    ``techniques`` maps each query technique id to its weight (inference confidence, 1.0 when
    given explicitly); ``ancestors[q]`` and ``descendants[q]`` map the ids above and below ``q``
    to their distance in edges.
    """

    techniques: dict[int, float]
    ancestors: dict[int, dict[int, int]]
    descendants: dict[int, dict[int, int]]
    iris: dict[int, str]
    tokens: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CandidateFacts:
    """What the scoring needs to know about one candidate version.

    ``required_nexus`` and ``facilities`` (slugs; empty: offered everywhere) do not score:
    the compatibility check reads them, so that only the versions shown are loaded.
    """

    version_id: int
    technique_ids: frozenset[int]
    tokens: frozenset[str]
    successful_runs: int = 0
    published_at: datetime | None = None
    slug: str = ""
    required_nexus: tuple[str, ...] = ()
    facilities: tuple[str, ...] = ()


@dataclass
class Scored:
    """A candidate's score with the reasons behind it."""

    candidate: CandidateFacts
    score: float
    reasons: list[dict] = field(default_factory=list)

    def sort_key(self) -> tuple:
        """Higher score first, then more successful runs, then more recent, then slug."""
        published = self.candidate.published_at.timestamp() if self.candidate.published_at else 0
        return (-self.score, -self.candidate.successful_runs, -published, self.candidate.slug)


def tokenize(*texts: str) -> frozenset[str]:
    """Lowercase word tokens of ``texts`` without stop words or one-letter words."""
    words = re.findall(r"[a-z0-9]+", " ".join(t for t in texts if t).lower())
    return frozenset(w for w in words if len(w) > 1 and w not in STOPWORDS)


def technique_match(query: QueryFacts, query_id: int, candidate_id: int) -> dict | None:
    """How candidate technique ``candidate_id`` relates to query technique ``query_id``."""
    if candidate_id == query_id:
        return {"type": "exact_technique", "distance": 0, "weight": EXACT_WEIGHT}
    up = query.ancestors.get(query_id, {}).get(candidate_id)
    if up is not None:
        weight = BROADER_WEIGHT * DISTANCE_DECAY ** (up - 1)
        return {"type": "broader_technique", "distance": up, "weight": weight}
    down = query.descendants.get(query_id, {}).get(candidate_id)
    if down is not None:
        weight = NARROWER_WEIGHT * DISTANCE_DECAY ** (down - 1)
        return {"type": "narrower_technique", "distance": down, "weight": weight}
    return None


def best_matches(query: QueryFacts, candidate: CandidateFacts) -> list[dict]:
    """For each query technique, the best relation any candidate technique has with it."""
    matches = []
    for query_id, confidence in query.techniques.items():
        found = [technique_match(query, query_id, cid) for cid in sorted(candidate.technique_ids)]
        found = [
            (m, cid) for m, cid in zip(found, sorted(candidate.technique_ids), strict=False) if m
        ]
        if not found:
            continue
        match, candidate_id = max(found, key=lambda pair: (pair[0]["weight"], -pair[1]))
        matches.append(
            {
                "type": match["type"],
                "technique": query.iris.get(candidate_id, ""),
                "query_technique": query.iris.get(query_id, ""),
                "distance": match["distance"],
                "weight": round(match["weight"] * confidence, 6),
            }
        )
    return sorted(matches, key=lambda m: (-m["weight"], m["technique"]))


def text_similarity(query_tokens: frozenset[str], candidate_tokens: frozenset[str]) -> float:
    """Share of the query's words found in the candidate's text (0 to 1)."""
    if not query_tokens or not candidate_tokens:
        return 0.0
    return len(query_tokens & candidate_tokens) / len(query_tokens)


def score_candidate(query: QueryFacts, candidate: CandidateFacts) -> Scored | None:
    """Score one candidate; ``None`` when it does not fit the query at all.

    With query techniques, a candidate must match one of them through the hierarchy; without
    any (an unknown technique), text similarity alone can recommend.
    """
    matches = best_matches(query, candidate)
    similarity = text_similarity(query.tokens, candidate.tokens)
    if query.techniques and not matches:
        return None
    if not matches and similarity == 0:
        return None
    score = 0.0
    if matches:
        coverage = sum(m["weight"] for m in matches) / sum(query.techniques.values())
        score = matches[0]["weight"] + COVERAGE_WEIGHT * min(coverage, 1.0)
    reasons = list(matches)
    if similarity:
        shared = sorted(query.tokens & candidate.tokens)
        reasons.append({"type": "text", "technique": None, "distance": None,
                        "weight": round(TEXT_WEIGHT * similarity, 6), "words": shared})  # fmt: skip
    score += TEXT_WEIGHT * similarity
    return Scored(candidate, round(score, 6), reasons)


def rank(query: QueryFacts, candidates: list[CandidateFacts]) -> list[Scored]:
    """Score every candidate and sort them, best first, with the documented tie-breaks."""
    scored = [s for s in (score_candidate(query, c) for c in candidates) if s is not None]
    return sorted(scored, key=Scored.sort_key)
