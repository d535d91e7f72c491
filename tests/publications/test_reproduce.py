"""Reproducing the demo publications through the execution layer (local backend, eager Celery)."""

import pytest

from execution.choices import BackendName
from publications import services
from publications.models import Publication

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def reproduce_now(doi, user, capture):
    """Start a reproduction, let its runs execute (on commit, eagerly), then compare."""
    with capture(execute=True):
        reproduction = services.reproduce(services.get_publication(doi), user, wait_seconds=0)
    return services.refresh_reproduction(reproduction)


def test_demo_publications_reproduce_and_the_altered_one_differs(
    demo_content, scientist, django_capture_on_commit_callbacks
):
    demo = Publication.objects.filter(is_demo=True)
    assert demo.count() == 4 and all(p.doi.startswith("10.5072/") for p in demo)
    for doi in ("10.5072/demo.saxs-silica", "10.5072/demo.cu-xas", "10.5072/demo.si-powder"):
        reproduction = reproduce_now(doi, scientist, django_capture_on_commit_callbacks)
        verdicts = {c.result.label: (c.status, c.message) for c in reproduction.comparisons.all()}
        assert reproduction.status == "reproduced", verdicts
    altered = reproduce_now(
        "10.5072/demo.si-powder-altered", scientist, django_capture_on_commit_callbacks
    )
    assert altered.status == "differs"
    comparison = altered.comparisons.get()
    assert comparison.details["kind"] == "numeric_deviation"
    assert comparison.details["field"] == "row 3, column height"
    assert "row 3, column height" in comparison.message and "1297.6" in comparison.message
    assert comparison.run.state == "COMPLETE"


def test_api_list_filters_detail_and_reproduce(
    demo_content, api, django_capture_on_commit_callbacks
):
    listed = api.get("/api/v1/publications/").json()
    assert listed["count"] == 4
    saxs = "http://purl.org/pan-science/PaNET/PaNET01188"
    by_technique = api.get("/api/v1/publications/", {"technique": saxs}).json()
    assert [p["doi"] for p in by_technique["results"]] == ["10.5072/demo.saxs-silica"]
    broader = api.get(
        "/api/v1/publications/", {"procedure": "powder-peak-search", "year": 2025}
    ).json()
    assert broader["count"] == 2
    by_dataset = api.get("/api/v1/publications/", {"dataset": "10.5072/demo:xas"}).json()
    assert [p["doi"] for p in by_dataset["results"]] == ["10.5072/demo.cu-xas"]
    assert api.get("/api/v1/publications/", {"q": "altered"}).json()["count"] == 1
    detail = api.get("/api/v1/publications/10.5072/DEMO.si-powder/")
    assert detail.status_code == 200 and detail.json()["results"][0]["label"] == "Table 1"
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post("/api/v1/publications/10.5072/demo.si-powder-altered/reproduce/")
    assert started.status_code in (201, 202)
    shown = api.get("/api/v1/publications/10.5072/demo.si-powder-altered/reproductions/").json()
    reproduction = shown["results"][0]
    assert reproduction["status"] == "differs"
    run = reproduction["comparisons"][0]["run"]
    assert run["state"] == "COMPLETE" and run["crate_url"].endswith("/crate.zip")
    assert api.get(run["crate_url"]).status_code == 200


def test_api_errors_in_the_one_shape(demo_content, api, client):
    missing = api.get("/api/v1/publications/10.5072/nothing-here/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    anonymous = client.post("/api/v1/publications/10.5072/demo.si-powder/reproduce/")
    assert anonymous.status_code in (401, 403) and "error" in anonymous.json()
    unknown = api.post("/api/v1/publications/10.5072/demo.si-powder/modify/", {"result": "Fig 9"})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_result"


def test_modify_opens_the_same_version_and_dataset_on_jupyterhub(
    demo_content, api, scientist, django_capture_on_commit_callbacks
):
    publication = services.get_publication("10.5072/demo.cu-xas")
    with django_capture_on_commit_callbacks(execute=False):
        run = services.open_for_modification(publication, scientist, label="Table 2")
    result = publication.results.get(label="Table 2")
    assert run.backend == BackendName.JUPYTERHUB
    assert run.version == result.version and run.dataset == result.dataset
    assert run.version.code_commit == result.version.code_commit


def test_register_modified_version_names_its_base(demo_content):
    original = services.find_version("powder-peak-search@1.0.0")
    registration = services.register_modified_version(
        original, "1.0.1", "0123456789abcdef0123456789abcdef01234567",
        "powder-peak-search/analysis.ipynb", None,
    )  # fmt: skip
    assert registration.versions == {"1.0.1": "created"}
    new = services.find_version("powder-peak-search@1.0.1")
    assert new.base_version == original and new.status == "draft"
    assert new.code_commit.startswith("0123456789")
