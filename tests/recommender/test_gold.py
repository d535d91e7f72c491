"""Recommendations for real and example NeXus files, with the demo procedures loaded."""

import csv

import pytest

from ontologies.models import Term
from ontologies.services import ancestor_ids, load_snapshot
from recommender import services
from recommender.evaluation import evaluate, gold_cases
from tests.conftest import require, shared_path

pytestmark = pytest.mark.django_db
PANET = "http://purl.org/pan-science/PaNET/"


@pytest.fixture
def demo(db):
    """The ontology snapshot, the facilities and the demo procedures."""
    from registry import demo

    require(bool(demo.demo_manifests()), "no demo procedure manifests in fixtures/procedures yet")
    load_snapshot()
    demo.load_facilities()
    demo.load_procedures(progress=False)


def manifest_rows():
    with shared_path("nexus-samples/MANIFEST.tsv").open() as handle:
        return [r for r in csv.DictReader(handle, delimiter="\t") if r["kind"] != "bad-input"]


def test_first_recommendation_serves_an_accepted_technique(demo):
    samples = shared_path("nexus-samples")
    for row in manifest_rows():
        answer = services.recommend_for_file(samples / row["file"], k=3)
        if not row["techniques"]:
            assert answer["query"]["technique_status"] == "unknown", row["file"]
            assert answer["query"]["technique_unknown_reason"], row["file"]
            continue
        if not answer["results"]:
            continue  # no demo procedure for these techniques (listed in the report)
        accepted = Term.objects.filter(iri__in=[PANET + t for t in row["techniques"].split("|")])
        top = answer["results"][0]["procedure"]
        served = Term.objects.filter(procedures__slug=top).values_list("pk", flat=True)
        assert ancestor_ids(served) & set(accepted.values_list("pk", flat=True)), row["file"]


def test_gold_metrics_embedded(demo, tmp_path):
    result = evaluate(gold_cases(tmp_path), "embedded")
    assert result["metrics"]["precision@1"] >= 0.8


@pytest.mark.elasticsearch
@pytest.mark.django_db(transaction=True)
def test_both_backends_agree_on_top3(demo, tmp_path, settings):
    import os

    require(bool(os.environ.get("ELASTICSEARCH_URL")), "ELASTICSEARCH_URL not set")
    from recommender import search_index

    settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
    settings.ELASTICSEARCH_INDEX_PREFIX = "test-recommender"
    search_index.rebuild()
    cases = gold_cases(tmp_path)
    assert evaluate(cases, "elasticsearch")["top3"] == evaluate(cases, "embedded")["top3"]
