"""The recommender API: datasets, posted descriptions, uploads, the reverse, search."""

import pytest

from datasets.models import Dataset
from tests.registry.factories import SAXS

pytestmark = pytest.mark.django_db


def test_recommendations_for_a_stored_dataset_with_slashes_in_pid(catalogue, api):
    dataset = Dataset.objects.create(pid="10.5072/demo:saxs-001", title="silica")
    dataset.techniques.set([catalogue["terms"]["saxs"]])
    answer = api.get("/api/v1/datasets/10.5072/demo:saxs-001/recommendations/?k=1").json()
    assert answer["query"]["technique_status"] == "known"
    assert [r["procedure"] for r in answer["results"]] == ["saxs-integration"]


def test_post_techniques_and_panosc_dataset(catalogue, api):
    by_iri = api.post("/api/v1/recommendations/", {"techniques": [SAXS]}, format="json").json()
    assert by_iri["results"][0]["procedure"] == "saxs-integration"
    panosc = {"dataset": {"pid": "p", "techniques": [{"name": "SAXS"}]}}
    by_name = api.post("/api/v1/recommendations/", panosc, format="json").json()
    assert by_name["results"][0]["procedure"] == "saxs-integration"


def test_unknown_technique_says_so(catalogue, api):
    body = {"dataset": {"pid": "p", "techniques": [{"name": "dowsing"}]}}
    answer = api.post("/api/v1/recommendations/", body, format="json").json()
    assert answer["query"]["technique_status"] == "unknown"
    assert "dowsing" in answer["query"]["technique_unknown_reason"]


@pytest.mark.parametrize("body", [{}, {"techniques": [SAXS], "k": 0}, {"summary": {"groups": 3}}])
def test_bad_input_is_a_400_in_the_error_shape(catalogue, api, body):
    response = api.post("/api/v1/recommendations/", body, format="json")
    assert response.status_code == 400
    assert "error" in response.json()


def test_upload_over_the_limit_is_413(catalogue, api, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_BYTES = 10
    upload = SimpleUploadedFile("big.nxs", b"x" * 100)
    response = api.post("/api/v1/recommendations/upload/", {"file": upload}, format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_datasets_a_procedure_fits(catalogue, api):
    dataset = Dataset.objects.create(pid="d1", title="silica")
    dataset.techniques.set([catalogue["terms"]["saxs"]])
    page = api.get("/api/v1/procedures/sas-fit/datasets/").json()
    assert [row["pid"] for row in page["results"]] == ["d1"]


def test_an_unknown_facility_is_a_400(catalogue, api):
    """?facility= names a facility of the registry; a typo is not a filter matching nothing."""
    Dataset.objects.create(pid="10.5072/f", title="f")
    response = api.get("/api/v1/datasets/10.5072/f/recommendations/?facility=nowhere")
    assert response.status_code == 400
    assert "facility" in response.json()["error"]["details"]
    posted = api.post(
        "/api/v1/recommendations/", {"techniques": [SAXS], "facility": "nowhere"}, format="json"
    )
    assert posted.status_code == 400
    known = api.post(
        "/api/v1/recommendations/", {"techniques": [SAXS], "facility": "ill"}, format="json"
    )
    assert known.status_code == 200
    assert "saxs-integration" not in {row["procedure"] for row in known.json()["results"]}


def test_datasets_a_procedure_fits_refuses_a_non_boolean(catalogue, api):
    response = api.get("/api/v1/procedures/sas-fit/datasets/?include_incompatible=maybe")
    assert response.status_code == 400
    assert "include_incompatible" in response.json()["error"]["details"]


def test_incompatible_datasets_are_listed_and_checked_one_page_at_a_time(
    catalogue, api, monkeypatch
):
    """include_incompatible=true: every related dataset counts, the missing items are named,
    and the NeXus needs are checked for the rows of the page only (not every dataset)."""
    from recommender import services

    for number in range(5):
        dataset = Dataset.objects.create(
            pid=f"sans-{number}", title="no detector", summary={"path": "x", "file_size": 0}
        )
        dataset.techniques.set([catalogue["terms"]["sans"]])
    checked = []
    real = services._compatibility
    monkeypatch.setattr(
        services, "_compatibility", lambda *args: checked.append(args[0].pid) or real(*args)
    )
    url = "/api/v1/procedures/sans-reduction/datasets/"
    assert api.get(url).json()["count"] == 0
    checked.clear()
    page = api.get(url + "?include_incompatible=true&page_size=2").json()
    assert page["count"] == 5
    assert len(page["results"]) == 2
    assert page["results"][0]["compatibility"] == {
        "compatible": False, "present": [], "missing": ["NXentry/NXinstrument/NXdetector"]}  # fmt: skip
    assert len(checked) == 2


def test_search_with_facets(catalogue, api):
    page = api.get("/api/v1/search/?q=scattering").json()
    assert {row["procedure"] for row in page["results"]} == {
        "saxs-integration", "sas-fit", "sans-reduction"}  # fmt: skip
    assert {f["value"]: f["count"] for f in page["facets"]["facility"]}["esrf"] == 2
    page = api.get("/api/v1/search/?q=scattering&facility=ill").json()
    assert {row["procedure"] for row in page["results"]} == {"sas-fit", "sans-reduction"}


def test_project_routing_reaches_dataset_recommendations(catalogue, api):
    Dataset.objects.create(pid="10.5072/x", title="x")
    response = api.get("/api/v1/datasets/10.5072/x/recommendations/")
    assert "results" in response.json()
