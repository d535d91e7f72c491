"""The datasets REST API: filters, detail by PID, register, upload, plot."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from datasets.models import Dataset
from tests.datasets.conftest import write_nexus
from tests.datasets.factories import DatasetFactory, UserFactory, add_parameter

pytestmark = pytest.mark.django_db
URL = "/api/v1/datasets/"


@pytest.fixture
def client():
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def user_client():
    """A client logged in as an ordinary user."""
    client = APIClient()
    client.force_authenticate(UserFactory(username="alice"))
    return client


def pids(response) -> set[str]:
    """PIDs of a list answer."""
    assert response.status_code == 200, response.content
    return {row["pid"] for row in response.json()["results"]}


def test_technique_filter_includes_narrower_terms_unless_exact(client, hierarchy):
    saxs = DatasetFactory(pid="10.5072/demo:saxs-001", techniques=[hierarchy["saxs"]])
    sans = DatasetFactory(techniques=[hierarchy["sans"]])
    sas = DatasetFactory(techniques=[hierarchy["sas"]])
    DatasetFactory(techniques=[hierarchy["xas"]])

    sas_iri = hierarchy["sas"].iri
    assert pids(client.get(URL, {"technique": sas_iri})) == {saxs.pid, sans.pid, sas.pid}
    assert pids(client.get(URL, {"technique": sas_iri, "exact": "true"})) == {sas.pid}
    assert pids(client.get(URL, {"technique": hierarchy["saxs"].iri})) == {saxs.pid}


def test_unknown_technique_is_a_400(client, hierarchy):
    response = client.get(URL, {"technique": "http://purl.org/pan-science/PaNET/none"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_technique"


def test_instrument_facility_and_text_filters(client):
    match = DatasetFactory(title="Silica in water", instrument_name="ID02", facility_name="ESRF")
    DatasetFactory(title="Copper foil", instrument_name="I20", facility_name="Diamond")
    assert pids(client.get(URL, {"instrument": "id02"})) == {match.pid}
    assert pids(client.get(URL, {"facility": "esrf"})) == {match.pid}
    assert pids(client.get(URL, {"q": "silica water"})) == {match.pid}


def test_parameter_range_in_si_and_in_another_unit(client):
    short = DatasetFactory()
    add_parameter(short, "wavelength", 0.1, "nm")
    long = DatasetFactory()
    add_parameter(long, "wavelength", 1.5, "angstrom")

    assert pids(client.get(URL, {"parameter": "wavelength", "min": 1e-11, "max": 1.2e-10})) == {
        short.pid
    }
    assert pids(client.get(URL, {"parameter": "wavelength", "min": 1.2, "unit": "angstrom"})) == {
        long.pid
    }
    in_nm = client.get(URL, {"parameter": "wavelength", "min": 0.05, "max": 0.2, "unit": "nm"})
    assert pids(in_nm) == {short.pid, long.pid}


def test_bad_unit_and_inverted_range_are_400(client):
    response = client.get(URL, {"parameter": "wavelength", "min": 1, "unit": "furlongs-ish"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_unit"
    response = client.get(URL, {"parameter": "wavelength", "min": 2, "max": 1})
    assert response.status_code == 400


@pytest.mark.parametrize("query", [{"min": 1e-10}, {"max": 2}, {"min": 1, "max": 2, "unit": "nm"}])
def test_a_range_without_a_parameter_is_400_not_ignored(client, query):
    DatasetFactory()
    response = client.get(URL, query)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert "need a parameter" in error["message"]
    assert set(error["details"]) == set(query)


def test_private_datasets_are_hidden_from_others(client, user_client):
    private = DatasetFactory(is_public=False, owner=UserFactory(username="bob"))
    assert private.pid not in pids(client.get(URL))
    assert private.pid not in pids(user_client.get(URL))
    assert client.get(f"{URL}{private.pid}/").status_code == 404


def test_detail_by_pid_with_slashes_and_colons_has_the_nexus_tree(client):
    dataset = DatasetFactory(
        pid="10.5072/demo:saxs-001",
        summary={
            "groups": {"/entry": "NXentry"},
            "fields": {"/entry/title": {"shape": [], "dtype": "str"}},
        },
    )
    add_parameter(dataset, "wavelength", 0.1, "nm")
    response = client.get(f"{URL}10.5072/demo:saxs-001/")
    assert response.status_code == 200
    body = response.json()
    assert body["pid"] == dataset.pid
    assert body["tree"]["children"][0]["nx_class"] == "NXentry"
    assert body["parameters"][0]["si_unit"] == "meter"
    assert body["plot_url"] is None


def test_register_by_path_inside_a_root(user_client, data_root):
    write_nexus(data_root / "run.nxs", np.arange(10.0), title="Registered run", wavelength_nm=0.15)
    response = user_client.post(
        URL, {"path": "run.nxs", "pid": "10.5072/demo:run-1"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pid"] == "10.5072/demo:run-1"
    assert body["title"] == "Registered run"
    dataset = Dataset.objects.get(pid="10.5072/demo:run-1")
    assert dataset.source_sha256 and dataset.files.count() == 1


def test_upload_over_the_limit_is_413(user_client, data_root, settings):
    settings.UPLOAD_MAX_BYTES = 100
    upload = SimpleUploadedFile("big.nxs", b"x" * 500)
    response = user_client.post(f"{URL}extract/", {"file": upload}, format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_upload_without_store_stores_nothing(user_client, data_root):
    path = write_nexus(data_root / "upload.nxs", np.arange(10.0), title="Uploaded")
    with open(path, "rb") as handle:
        response = user_client.post(f"{URL}extract/", {"file": handle}, format="multipart")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["stored"] is False and body["dataset"] is None
    assert body["summary"]["title"] == "Uploaded"
    assert Dataset.objects.count() == 0
    assert not (data_root.parent / "media" / "datasets").exists()


def test_upload_with_store_registers_a_private_dataset(user_client, data_root):
    path = write_nexus(data_root / "upload.nxs", np.arange(10.0), title="Kept")
    with open(path, "rb") as handle:
        response = user_client.post(
            f"{URL}extract/", {"file": handle, "store": "true"}, format="multipart"
        )
    assert response.status_code == 201, response.content
    dataset = Dataset.objects.get(pid=response.json()["dataset"])
    assert dataset.is_public is False and dataset.owner.username == "alice"
    assert list((data_root.parent / "media" / "datasets").iterdir())


def test_upload_of_a_file_that_is_not_nexus_is_a_400(user_client, data_root):
    upload = SimpleUploadedFile("notes.nxs", b"this is not HDF5")
    response = user_client.post(f"{URL}extract/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_nexus"


@pytest.mark.parametrize(
    "signal", [np.sin(np.linspace(0, 6, 20000)), np.arange(300 * 200).reshape(300, 200)]
)
def test_plot_png_for_1d_and_2d_and_cached(user_client, data_root, signal):
    write_nexus(data_root / "plot.nxs", signal)
    assert (
        user_client.post(
            URL, {"path": "plot.nxs", "pid": "10.5072/demo:plot"}, format="json"
        ).status_code
        == 201
    )
    response = user_client.get(f"{URL}10.5072/demo:plot/plot.png")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert len(list((data_root.parent / "var" / "plots").glob("*.png"))) == 1


def test_plot_png_is_404_in_the_error_shape_without_a_default_plot(client):
    DatasetFactory(pid="10.5072/demo:noplot")
    response = client.get(f"{URL}10.5072/demo:noplot/plot.png")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert client.get(f"{URL}no-such-pid/plot.png").status_code == 404
