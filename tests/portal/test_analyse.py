"""Analyse from the upload page (the file kept only then), the facility of a dataset, link-out
runs, run again, and the rate limit of the upload pages."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils.html import escape
from rest_framework.throttling import ScopedRateThrottle

from datasets.choices import DatasetOrigin
from datasets.examples import EXAMPLES, write_examples
from datasets.models import Dataset
from datasets.services import file_sha256
from execution import services as execution
from execution.models import Run
from portal.views import facility_slug_for
from tests.portal.conftest import SAXS_DATASET

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings, tmp_path):
    """MEDIA_ROOT in a temporary folder, runs queued but not sent; the folder of kept uploads."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    return settings.MEDIA_ROOT / "datasets"


@pytest.fixture
def sans_file(tmp_path):
    """An example file no dataset holds yet (the module's demo content has the SAXS one)."""
    write_examples(tmp_path / "sans", ["sans"])
    return tmp_path / "sans" / EXAMPLES["sans"].file_name


@pytest.fixture
def saxs_file(portal_content):
    """The file of the public SAXS dataset of the module."""
    return portal_content / EXAMPLES["saxs"].file_name


def analyse_upload(client, path, procedure: str, version: str = "1.0.0", **fields):
    """Press Analyse on the upload page: the file sent again with the recommendation."""
    data = {"procedure": procedure, "version": version, "sha256": file_sha256(path), **fields}
    with path.open("rb") as handle:
        return client.post("/upload/analyse/", {**data, "file": handle})


def messages_of(client, response) -> str:
    """The page the response redirects to, as text (where its messages are shown)."""
    return client.get(response["Location"]).content.decode()


def test_reading_a_file_offers_analyse_and_stores_nothing(client, scientist, kept, sans_file):
    client.force_login(scientist)
    with sans_file.open("rb") as handle:
        html = client.post("/upload/", {"file": handle}).content.decode()
    assert 'action="/upload/analyse/"' in html and 'enctype="multipart/form-data"' in html
    assert f'name="sha256" value="{file_sha256(sans_file)}"' in html
    assert 'aria-label="Analyse with ' in html and "stores it and registers it" in html
    assert not kept.exists() and not Dataset.objects.filter(origin=DatasetOrigin.UPLOAD).exists()


def test_analyse_keeps_the_file_as_a_private_dataset_and_starts_the_run(
    client, scientist, kept, sans_file
):
    client.force_login(scientist)
    response = analyse_upload(client, sans_file, "sans-radial-averaging", backend="local")
    run = Run.objects.select_related("dataset").get(owner=scientist)
    assert response.status_code == 302 and response["Location"] == f"/runs/{run.pk}/"
    dataset = run.dataset
    assert dataset.origin == DatasetOrigin.UPLOAD and dataset.owner == scientist
    assert not dataset.is_public and dataset.source_sha256 == file_sha256(sans_file)
    assert dataset.source_path == str((kept / f"{dataset.source_sha256}.nxs").resolve())
    assert run.dataset_path == dataset.source_path and run.backend == "local"
    assert "was stored and registered as your private dataset" in messages_of(client, response)


def test_analyse_reuses_a_dataset_with_the_same_content(
    client, scientist, kept, saxs_file, data_roots
):
    client.force_login(scientist)
    response = analyse_upload(client, saxs_file, "saxs-azimuthal-integration")
    run = Run.objects.get(owner=scientist)
    assert run.dataset.pid == SAXS_DATASET
    assert f"matches dataset {SAXS_DATASET}" in messages_of(client, response)
    assert not kept.exists() and Dataset.objects.count() == 1


def test_analyse_of_another_file_than_the_one_read_is_refused(client, scientist, kept, saxs_file):
    client.force_login(scientist)
    response = analyse_upload(client, saxs_file, "saxs-azimuthal-integration", sha256="0" * 64)
    assert response["Location"] == "/upload/"
    assert "is not the file that was read" in messages_of(client, response)
    assert not Run.objects.exists()


def test_analyse_of_a_non_nexus_file_keeps_nothing(client, scientist, kept, tmp_path):
    path = tmp_path / "notes.nxs"
    path.write_text("not hdf5")
    client.force_login(scientist)
    response = analyse_upload(client, path, "saxs-azimuthal-integration")
    assert "is not a readable NeXus file" in messages_of(client, response)
    assert not Run.objects.exists() and not list(kept.glob("*"))
    assert not Dataset.objects.filter(origin=DatasetOrigin.UPLOAD).exists()


def test_a_run_that_cannot_start_rolls_the_dataset_and_file_back(
    client, scientist, kept, sans_file, settings
):
    settings.EXECUTION_BACKENDS = {"*": ["local"]}
    client.force_login(scientist)
    response = analyse_upload(client, sans_file, "sans-radial-averaging", backend="binder")
    assert "is not offered" in messages_of(client, response)
    assert not Run.objects.exists() and not list(kept.glob("*"))
    assert not Dataset.objects.filter(origin=DatasetOrigin.UPLOAD).exists()


def test_analyse_of_an_upload_needs_login(client, kept, saxs_file):
    response = analyse_upload(client, saxs_file, "saxs-azimuthal-integration")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Run.objects.exists()


@pytest.mark.parametrize(
    ("slug", "name", "instrument", "expected"),
    [
        ("ill", "Diamond Light Source", "", "ill"),
        ("", "Diamond Light Source", "", "diamond"),
        ("", "esrf", "", "esrf"),
        ("", "ESRF", "", "esrf"),
        ("", "", "I22", "diamond"),
        ("", "Nowhere", "no such beamline", ""),
    ],
)
def test_the_facility_of_a_dataset(slug, name, instrument, expected):
    assert facility_slug_for(slug, name, instrument) == expected


def test_dataset_page_preselects_the_facility_the_dataset_names(client, scientist):
    dataset = Dataset.objects.get(pid=SAXS_DATASET)
    assert dataset.facility_slug == "" and dataset.facility_name == "Diamond Light Source"
    client.force_login(scientist)
    html = client.get(f"/datasets/{SAXS_DATASET}/").content.decode()
    assert '<option value="diamond" selected>Diamond (the dataset\'s)</option>' in html
    assert '<option value="" selected>' not in html


@pytest.mark.parametrize(("backend", "setting"), [("binder", "BINDER_URL"), ("visa", "VISA_URL")])
def test_analyse_on_a_link_out_shows_its_launch_url(
    client, scientist, data_roots, settings, backend, setting, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    client.force_login(scientist)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/analyse/",
            {"procedure": "saxs-azimuthal-integration", "version": "1.0.0",
             "dataset": SAXS_DATASET, "backend": backend},
        )  # fmt: skip
    run = Run.objects.get(owner=scientist)
    assert run.backend == backend and run.external_url.startswith(getattr(settings, setting))
    html = client.get(f"/runs/{run.pk}/").content.decode()
    assert f'<a class="button" href="{escape(run.external_url)}" rel="noopener">Open at ' in html
    assert client.get(f"/runs/{run.pk}/status.json").json()["external_url"] == run.external_url


def test_run_again_copies_version_dataset_and_parameters(client, scientist, data_roots, kept):
    first = execution.create_run(
        version=_saxs_version(),
        owner=scientist,
        parameters={"n_bins": 64},
        dataset_pid=SAXS_DATASET,
        backend="local",
        facility_slug="diamond",
    )
    client.force_login(scientist)
    response = client.post(f"/runs/{first.pk}/again/")
    again = Run.objects.exclude(pk=first.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/runs/{again.pk}/"
    assert again.version == first.version and again.dataset == first.dataset
    assert again.parameters == first.parameters and again.parameters["n_bins"] == 64
    assert (again.backend, again.facility_slug) == ("local", "diamond")
    assert again.tags["rerun_of"] == str(first.pk) and again.owner == scientist


def _saxs_version():
    """Version 1.0.0 of the SAXS azimuthal integration demo procedure."""
    from registry.models import ProcedureVersion

    return ProcedureVersion.objects.get(
        procedure__slug="saxs-azimuthal-integration", version="1.0.0"
    )


@pytest.fixture
def three_per_minute(monkeypatch):
    """The uploads scope at 3 requests a minute, with an empty throttle cache."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"uploads": "3/min"})
    cache.clear()
    yield
    cache.clear()


def test_fourth_upload_page_post_in_a_minute_is_429_with_retry_after(three_per_minute, client):
    for _ in range(3):
        assert client.post("/upload/", {}).status_code == 400  # no file: counted
    response = client.post("/upload/", {})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "<h1>Too many uploads</h1>" in response.content.decode()
    assert client.get("/upload/").status_code == 200  # reading the page is not an upload
    assert Client(REMOTE_ADDR="10.0.0.9").post("/upload/", {}).status_code == 400


def test_the_upload_pages_and_the_api_share_one_budget(three_per_minute, client, scientist):
    client.force_login(scientist)
    client.post("/api/v1/datasets/extract/", {})
    client.post("/upload/", {})
    client.post("/upload/", {})
    response = client.post("/upload/analyse/", {})
    assert response.status_code == 429 and "Retry-After" in response
    assert not Run.objects.exists()
