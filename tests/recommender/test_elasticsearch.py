"""The Elasticsearch backend against a real cluster (scripts/elasticsearch start)."""

import os

import pytest

from recommender import search_index
from recommender.backends import get_backend
from recommender.query import RecommendationQuery
from tests.conftest import require
from tests.registry.factories import SANS, SAS, SAXS

pytestmark = [pytest.mark.elasticsearch, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cluster(settings):
    """A real cluster with a test-only index prefix; its indices are deleted afterwards."""
    require(bool(os.environ.get("ELASTICSEARCH_URL")), "ELASTICSEARCH_URL not set")
    settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
    settings.ELASTICSEARCH_INDEX_PREFIX = "test-recommender"
    yield search_index.client()
    es = search_index.client()
    for name in es.indices.get(index="test-recommender-*"):
        es.indices.delete(index=name)


def slugs(results):
    return [r.procedure_version.procedure.slug for r in results]


def test_same_ranking_as_embedded(cluster, catalogue):
    result = search_index.rebuild()
    assert result["documents"] == 3
    assert search_index.check() == {"missing": [], "extra": [], "stale": []}
    for iri in (SAXS, SAS, SANS):
        query = RecommendationQuery.from_techniques([iri])
        assert slugs(get_backend("elasticsearch").recommend(query, 3)) == slugs(
            get_backend("embedded").recommend(query, 3)
        )


def test_rebuild_swaps_alias(cluster, catalogue):
    first = search_index.rebuild()["index"]
    second = search_index.rebuild()["index"]
    assert search_index.status()["indices"] == [second] != [first]


def test_deprecating_syncs_after_commit(cluster, catalogue, settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    search_index.rebuild()
    catalogue["sas"].status = "deprecated"
    catalogue["sas"].save()
    query = RecommendationQuery.from_techniques([SAXS])
    assert "sas-fit" not in slugs(get_backend("elasticsearch").recommend(query, 5))


def test_search_facets(cluster, catalogue):
    search_index.rebuild()
    answer = get_backend("elasticsearch").search("scattering", {"facility": "ill"})
    assert {row["procedure"] for row in answer["results"]} == {"sas-fit", "sans-reduction"}
    assert {f["value"]: f["count"] for f in answer["facets"]["facility"]}["ill"] == 2
