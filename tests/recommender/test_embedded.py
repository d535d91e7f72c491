"""The embedded backend and the shared scoring: ranking, filters, compatibility, explanations."""

import pytest

from datasets.nexus.summary import DatasetSummary
from recommender.backends import get_backend
from recommender.query import RecommendationQuery
from recommender.scoring import CandidateFacts, QueryFacts, rank
from tests.registry.factories import SANS, SAS, SAXS

pytestmark = pytest.mark.django_db


def slugs(results):
    return [r.procedure_version.procedure.slug for r in results]


def test_exact_beats_broader_and_deprecated_never_shown(catalogue):
    results = get_backend("embedded").recommend(RecommendationQuery.from_techniques([SAXS]), 5)
    assert slugs(results) == ["saxs-integration", "sas-fit"]
    assert results[0].reasons[0]["type"] == "exact_technique"
    assert results[1].reasons[0] == {**results[1].reasons[0], "type": "broader_technique",
                                     "technique": SAS, "distance": 1}  # fmt: skip
    assert "exactly" in results[0].explanation
    assert results[0].engine_version == "embedded/1.0.0"


def test_broader_query_finds_narrower_procedures_ranked_below_exact(catalogue):
    results = get_backend().recommend(RecommendationQuery.from_techniques([SAS]), 5)
    assert slugs(results)[0] == "sas-fit"
    assert {r.reasons[0]["type"] for r in results[1:]} == {"narrower_technique"}


def test_facility_filter(catalogue):
    query = RecommendationQuery.from_techniques([SAXS])
    results = get_backend().recommend(query, 5, {"facility": "ill"})
    assert slugs(results) == ["sas-fit"]


def test_missing_required_nexus_is_hidden_unless_asked(catalogue):
    summary = DatasetSummary(path="x.nxs", file_size=1, groups={"/entry": "NXentry"})
    query = RecommendationQuery(techniques={SANS: 1.0}, summary=summary)
    assert "sans-reduction" not in slugs(get_backend().recommend(query, 5))
    flagged = get_backend().recommend(query, 5, {"include_incompatible": True})
    sans = next(r for r in flagged if r.procedure_version.procedure.slug == "sans-reduction")
    assert sans.compatibility == {"compatible": False, "present": [],
                                  "missing": ["NXentry/NXinstrument/NXdetector"],
                                  "offered_at_data_facility": None}  # fmt: skip
    assert "Missing required NeXus items" in sans.explanation


def test_ties_broken_by_popularity_then_recency():
    query = QueryFacts(techniques={1: 1.0}, ancestors={}, descendants={}, iris={1: "t"})
    a = CandidateFacts(1, frozenset({1}), frozenset(), successful_runs=1, slug="a")
    b = CandidateFacts(2, frozenset({1}), frozenset(), successful_runs=5, slug="b")
    assert [s.candidate.slug for s in rank(query, [a, b])] == ["b", "a"]


def test_equal_popularity_is_broken_by_recency():
    from datetime import UTC, datetime

    query = QueryFacts(techniques={1: 1.0}, ancestors={}, descendants={}, iris={1: "t"})
    old = CandidateFacts(1, frozenset({1}), frozenset(), successful_runs=2, slug="a",
                         published_at=datetime(2023, 1, 1, tzinfo=UTC))  # fmt: skip
    new = CandidateFacts(2, frozenset({1}), frozenset(), successful_runs=2, slug="b",
                         published_at=datetime(2024, 6, 1, tzinfo=UTC))  # fmt: skip
    assert [s.candidate.slug for s in rank(query, [old, new])] == ["b", "a"]
    assert rank(query, [old, new])[0].score == rank(query, [old, new])[1].score


def hierarchy_query() -> QueryFacts:
    """Query technique 1 with broader 2 (one step), 3 (two steps) and narrower 4, 5 likewise."""
    return QueryFacts(
        techniques={1: 1.0},
        ancestors={1: {2: 1, 3: 2}},
        descendants={1: {4: 1, 5: 2}},
        iris={n: f"t{n}" for n in range(1, 6)},
    )


def test_hierarchy_matches_decay_with_distance_and_narrower_counts_less():
    """exact > broader 1 > narrower 1, broader 1 > broader 2, narrower 1 > narrower 2; popular
    candidates further away never overtake (popularity only breaks ties)."""
    candidates = [
        CandidateFacts(n, frozenset({n}), frozenset(), successful_runs=100 - 10 * n, slug=f"t{n}")
        for n in (5, 4, 3, 2, 1)
    ]
    scored = {s.candidate.slug: s.score for s in rank(hierarchy_query(), candidates)}
    assert scored["t1"] > scored["t2"] > scored["t3"]
    assert scored["t2"] > scored["t4"] > scored["t5"]
    assert scored["t3"] > scored["t5"]  # narrower less than broader at the same distance
    reasons = {s.candidate.slug: s.reasons[0] for s in rank(hierarchy_query(), candidates)}
    assert reasons["t3"]["type"] == "broader_technique" and reasons["t3"]["distance"] == 2
    assert reasons["t5"]["type"] == "narrower_technique" and reasons["t5"]["distance"] == 2


def test_unknown_technique_gives_no_recommendation(catalogue):
    assert get_backend().recommend(RecommendationQuery.from_techniques(["PaNET99999"]), 5) == []


def test_evaluate_command_refuses_an_unknown_backend():
    """--backend bogus is one CommandError, not a traceback."""
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown search backend 'bogus'"):
        call_command("evaluate_recommender", "--backend", "bogus", stdout=StringIO())
