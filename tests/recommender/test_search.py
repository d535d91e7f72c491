"""Free-text search: each procedure once, as its latest published version; ordered; facet
counts over all results; cheap however many procedures match (plain values, rows built when
read). The Elasticsearch backend builds the same answer: tests/recommender/test_elasticsearch.py.
"""

import pytest
from django.utils import timezone

from config.api.text import MAX_WORDS
from recommender import searching, services
from registry.choices import VersionStatus
from registry.models import Procedure, ProcedureVersion
from tests.recommender.conftest import make_procedure
from tests.registry.factories import COMMIT, DIGEST, SAS, SAXS

pytestmark = pytest.mark.django_db


def add_version(procedure, version, status=VersionStatus.PUBLISHED, kind="workflow"):
    """Another version of ``procedure``, published now unless told otherwise."""
    return ProcedureVersion.objects.create(
        procedure=procedure, version=version, status=status, kind=kind,
        code_repository="https://github.com/example/x.git", code_commit=COMMIT,
        entry_point="workflow.cwl", container_image=f"ghcr.io/x/y@{DIGEST}",
        published_at=timezone.now() if status == VersionStatus.PUBLISHED else None,
    )  # fmt: skip


def shown(answer):
    return [(row["procedure"], row["version"], row["kind"]) for row in answer["results"]]


def facets(answer, name):
    return {facet["value"]: facet["count"] for facet in answer["facets"][name]}


def test_each_procedure_once_as_its_latest_published_version(catalogue):
    add_version(catalogue["sas"], "2.0.0")
    add_version(catalogue["sas"], "3.0.0-draft", status=VersionStatus.DRAFT)
    answer = services.search("", backend="embedded")
    # Ordered by successful runs (every score is 1 without words); deprecated saxs-legacy never.
    assert shown(answer) == [
        ("sas-fit", "2.0.0", "workflow"),
        ("saxs-integration", "1.0.0", "notebook"),
        ("sans-reduction", "1.0.0", "notebook"),
    ]
    assert facets(answer, "kind") == {"notebook": 2, "workflow": 1}
    assert facets(answer, "facility") == {"esrf": 2, "ill": 2}
    techniques = {facet["value"]: facet for facet in answer["facets"]["technique"]}
    assert techniques[SAS] == {"value": SAS, "label": "small angle scattering", "count": 1}


def test_the_kind_facet_is_the_kind_of_the_latest_version(catalogue):
    add_version(catalogue["sas"], "2.0.0")
    notebooks = services.search("", {"kind": "notebook"}, backend="embedded")
    assert [row["procedure"] for row in notebooks["results"]] == [
        "saxs-integration", "sans-reduction"]  # fmt: skip
    assert facets(notebooks, "kind") == {"notebook": 2}


def test_words_rank_by_their_share_then_runs(catalogue):
    answer = services.search("azimuthal scattering", backend="embedded")
    assert [(row["procedure"], row["score"]) for row in answer["results"]] == [
        ("saxs-integration", 1.0)]  # fmt: skip
    answer = services.search("scattering", {"facility": "esrf"}, backend="embedded")
    assert [row["procedure"] for row in answer["results"]] == ["sas-fit", "saxs-integration"]
    assert answer["results"][0]["techniques"] == [SAS]
    assert answer["results"][1]["facilities"] == ["esrf"]


def test_a_technique_facet_takes_the_narrower_techniques_too(catalogue):
    answer = services.search("", {"technique": SAS}, backend="embedded")
    assert {row["procedure"] for row in answer["results"]} == {
        "sas-fit", "saxs-integration", "sans-reduction"}  # fmt: skip
    answer = services.search("", {"technique": SAXS}, backend="embedded")
    assert [row["procedure"] for row in answer["results"]] == ["saxs-integration"]


def test_matched_ids_give_the_answer_of_the_queryset(catalogue):
    """Ids (as the cluster gives them) pass as one bind parameter, so no database's limit caps
    how many a search matches; the answer is that of the queryset."""
    whole = searching.search_answer(Procedure.objects.all(), ["scattering"])
    ids = searching.search_answer(Procedure.objects.values_list("pk", flat=True), ["scattering"])
    assert list(ids["results"]) == list(whole["results"])
    assert ids["facets"] == whole["facets"]
    assert len(whole["results"]) == 3


def test_many_ids_pass_as_one_parameter(catalogue, django_assert_num_queries):
    ids = [*Procedure.objects.values_list("pk", flat=True), *range(10**6, 10**6 + 100_000)]
    with django_assert_num_queries(3):
        answer = searching.search_answer(ids, [])
    assert len(answer["results"]) == 3


def test_no_ids_no_results(catalogue, django_assert_num_queries):
    with django_assert_num_queries(0):
        answer = searching.search_answer([], ["scattering"])
    assert list(answer["results"]) == []
    assert answer["facets"] == {"technique": [], "facility": [], "kind": []}


def test_results_are_rows_built_when_read(catalogue, django_assert_num_queries):
    answer = searching.search_answer(Procedure.objects.all(), [])
    with django_assert_num_queries(0):  # everything was read in the answer's three queries
        page = answer["results"][1:2]
        assert len(answer["results"]) == 3
    assert page == [answer["results"][1]]
    assert page[0]["procedure"] == "saxs-integration"


def test_the_api_pages_the_results_and_counts_facets_over_all(catalogue, api):
    page = api.get("/api/v1/search/?q=scattering&page_size=1").json()
    assert page["count"] == 3
    assert [row["procedure"] for row in page["results"]] == ["sas-fit"]
    assert "page=2" in page["next"] and "q=scattering" in page["next"]
    assert facets(page, "facility") == {"esrf": 2, "ill": 2}
    second = api.get(page["next"]).json()
    assert [row["procedure"] for row in second["results"]] == ["saxs-integration"]


def many_words(count):
    return " ".join(f"word{i}" for i in range(count))


def test_a_search_of_as_many_words_as_allowed_is_answered(catalogue, api):
    """Each word is a subquery, not a join: before, about 60 words went past SQLite's 64-table
    join limit and the search answered 503 as if the database were down."""
    wordy = make_procedure("wordy", [catalogue["terms"]["sas"]])
    wordy.description = many_words(MAX_WORDS)  # the summary holds 300 characters
    wordy.save()
    page = api.get("/api/v1/search/", {"q": many_words(MAX_WORDS)})
    assert page.status_code == 200
    assert [row["procedure"] for row in page.json()["results"]] == ["wordy"]
    answer = services.search(many_words(40) + " scattering", backend="embedded")
    assert [row["procedure"] for row in answer["results"]] == ["wordy"]


def test_a_search_of_too_many_words_is_refused(catalogue, api):
    page = api.get("/api/v1/search/", {"q": many_words(MAX_WORDS + 1)})
    assert page.status_code == 400
    error = page.json()["error"]
    assert error["code"] == "query_too_large"
    assert error["details"] == {"words": 101, "max_words": 100}
