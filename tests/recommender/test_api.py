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


TOO_MANY = [{"name": f"technique {n}"} for n in range(101)]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"techniques": [SAXS], "k": 0},
        {"summary": {"groups": 3}},
        {"techniques": [SAXS] * 101},
        {"dataset": {"pid": "p", "techniques": TOO_MANY}},
    ],
)
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


def facility_answer(api, pid, query=""):
    """The recommendations for dataset ``pid``, by procedure slug."""
    answer = api.get(f"/api/v1/datasets/{pid}/recommendations/?k=10{query}").json()
    return answer, {r["procedure"]: r for r in answer["results"]}


def test_results_say_whether_they_run_where_the_data_lives(catalogue, api):
    """A dataset at ESRF: procedures elsewhere are still recommended, and say they are not
    offered at ESRF; one listing no facility is offered everywhere."""
    from tests.recommender.conftest import make_procedure

    make_procedure("sas-anywhere", [catalogue["terms"]["sas"]])
    dataset = Dataset.objects.create(pid="d-esrf", title="silica", facility_slug="esrf")
    dataset.techniques.set([catalogue["terms"]["sas"]])
    answer, results = facility_answer(api, "d-esrf")
    assert answer["query"]["data_facility"] == {"slug": "esrf", "name": "ESRF"}
    assert set(results) == {"sas-fit", "sas-anywhere", "saxs-integration", "sans-reduction"}
    offered = {slug: r["compatibility"]["offered_at_data_facility"] for slug, r in results.items()}
    assert offered == {
        "sas-fit": True,
        "sas-anywhere": True,
        "saxs-integration": True,
        "sans-reduction": False,
    }
    assert results["saxs-integration"]["explanation"].endswith(
        "Offered at ESRF, where the data lives."
    )
    assert results["sans-reduction"]["explanation"].endswith(
        "Not offered at ESRF (where the data lives)."
    )


def test_the_data_facility_is_matched_by_name_when_the_dataset_has_no_slug(catalogue, api):
    dataset = Dataset.objects.create(pid="d-ill", title="silica", facility_name="ill")
    dataset.techniques.set([catalogue["terms"]["sas"]])
    answer, results = facility_answer(api, "d-ill")
    assert answer["query"]["data_facility"] == {"slug": "ill", "name": "ILL"}
    assert results["saxs-integration"]["compatibility"]["offered_at_data_facility"] is False
    assert results["sans-reduction"]["compatibility"]["offered_at_data_facility"] is True
    assert "Offered at ILL, where the data lives." in results["sans-reduction"]["explanation"]


@pytest.mark.parametrize("name", ["", "Nowhere Lab"])
def test_without_a_known_data_facility_nothing_is_said(catalogue, api, name):
    """No facility, or one the registry does not know: null, and no sentence about it."""
    dataset = Dataset.objects.create(pid="d-x", title="silica", facility_name=name)
    dataset.techniques.set([catalogue["terms"]["sas"]])
    answer, results = facility_answer(api, "d-x")
    expected = {"slug": None, "name": name} if name else None
    assert answer["query"]["data_facility"] == expected
    assert len(results) == 3
    for result in results.values():
        assert result["compatibility"]["offered_at_data_facility"] is None
        assert "where the data lives" not in result["explanation"]


def test_an_explicit_facility_still_filters_and_the_data_facility_is_still_said(catalogue, api):
    dataset = Dataset.objects.create(pid="d-esrf", title="silica", facility_slug="esrf")
    dataset.techniques.set([catalogue["terms"]["sas"]])
    _, results = facility_answer(api, "d-esrf", "&facility=ill")
    assert set(results) == {"sas-fit", "sans-reduction"}
    assert results["sas-fit"]["compatibility"]["offered_at_data_facility"] is True
    assert results["sans-reduction"]["compatibility"]["offered_at_data_facility"] is False


def test_a_panosc_dataset_names_its_facility_through_its_instrument(catalogue, api):
    body = {
        "dataset": {
            "pid": "p",
            "techniques": [{"name": "SAXS"}],
            "instrument": {"pid": "i", "name": "D22", "facility": "ILL"},
        }
    }
    answer = api.post("/api/v1/recommendations/", body, format="json").json()
    assert answer["query"]["data_facility"] == {"slug": "ill", "name": "ILL"}
    results = answer["results"]
    offered = {r["procedure"]: r["compatibility"]["offered_at_data_facility"] for r in results}
    assert offered == {"saxs-integration": False, "sas-fit": True}
