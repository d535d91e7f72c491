"""Publication pages: list and filters, detail, Reproduce and Modify, links from other pages."""

import pytest

from execution.models import Run
from publications import services
from publications.choices import ComparisonStatus, ReproductionStatus
from publications.models import Reproduction, ResultComparison
from tests.portal.conftest import SAXS, SAXS_DATASET

pytestmark = pytest.mark.django_db

DOI = "10.5072/portal-test.saxs"
RECORD = {
    "type": "article-journal",
    "DOI": DOI,
    "title": "Portal test: a SAXS profile",
    "container-title": "Journal of Portal Tests",
    "issued": {"date-parts": [[2024, 5]]},
    "license": "CC-BY-4.0",
    "author": [
        {"given": "Ada", "family": "Demoson", "ORCID": "0000-0000-0000-1012"},
        {"given": "Bruno", "family": "Placeholder"},
    ],
}
WRONG_SHA = "0" * 64


@pytest.fixture
def publication(db):
    """A publication whose Figure 1 is the SAXS profile of the test dataset."""
    made, _ = services.save_record(RECORD)
    services.link_results(
        made,
        [
            {
                "label": "Figure 1",
                "version": "saxs-azimuthal-integration@1.1.0",
                "dataset": SAXS_DATASET,
                "output": "profile.csv",
                "sha256": WRONG_SHA,
            }
        ],
    )
    return made


def test_list_shows_publications_and_filters(client, publication):
    html = client.get("/publications/").content.decode()
    assert "<h1>Publications</h1>" in html and "Portal test: a SAXS profile" in html
    assert f'href="/publications/{DOI}/"' in html
    by_technique = client.get("/publications/", {"technique": SAXS}).content.decode()
    assert "Portal test: a SAXS profile" in by_technique
    other = "http://purl.org/pan-science/PaNET/PaNET01196"
    assert "Portal test" not in client.get("/publications/", {"technique": other}).content.decode()
    assert "Portal test" in client.get("/publications/", {"year": "2024"}).content.decode()
    assert "Portal test" not in client.get("/publications/", {"year": "2001"}).content.decode()


@pytest.mark.parametrize(
    "query", [{"year": "nonsense"}, {"technique": "<x>"}, {"page": "-3"}, {"q": "x" * 5000}]
)
def test_list_with_bad_filters_is_not_an_error(client, publication, query):
    assert client.get("/publications/", query).status_code == 200


def test_detail_shows_authors_datasets_versions_and_results(client, publication):
    html = client.get(f"/publications/{DOI}/").content.decode()
    assert "<h1>Portal test: a SAXS profile</h1>" in html
    assert 'href="https://orcid.org/0000-0000-0000-1012"' in html and "Bruno Placeholder" in html
    assert f'href="/datasets/{SAXS_DATASET}/"' in html
    assert "/procedures/saxs-azimuthal-integration/?version=1.1.0" in html
    assert "Figure 1" in html and "profile.csv" in html
    assert "Not reproduced here yet." in html
    assert "Log in</a> to reproduce" in html


def test_unknown_or_malformed_doi_is_404(client):
    assert client.get("/publications/10.5072/nothing-here/").status_code == 404
    assert client.get("/publications/not-a-doi/").status_code == 404
    assert client.post("/publications/not-a-doi/reproduce/").status_code == 404


def test_latest_reproduction_shows_each_verdict_with_runs(client, scientist, publication):
    run = Run.objects.create(
        version=publication.results.get().version, owner=scientist, state="COMPLETE"
    )
    reproduction = Reproduction.objects.create(
        publication=publication, requested_by=scientist, status=ReproductionStatus.DIFFERS
    )
    ResultComparison.objects.create(
        reproduction=reproduction,
        result=publication.results.get(),
        run=run,
        status=ComparisonStatus.DIFFERS,
        message="profile.csv: checksum abc… differs from the published 000…",
    )
    client.force_login(scientist)
    html = client.get(f"/publications/{DOI}/").content.decode()
    assert "Differs" in html and "checksum abc" in html
    assert f'href="/runs/{run.pk}/"' in html and f"/api/v1/runs/{run.pk}/crate.zip" in html


def test_reproduce_needs_post_and_login(client, publication):
    assert client.get(f"/publications/{DOI}/reproduce/").status_code == 405
    page = client.post(f"/publications/{DOI}/reproduce/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert not Reproduction.objects.exists()


@pytest.mark.slow
def test_reproduce_button_runs_and_shows_the_verdict(
    client, scientist, publication, data_roots, django_capture_on_commit_callbacks
):
    client.force_login(scientist)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/publications/{DOI}/reproduce/")
    assert page.status_code == 302 and page["Location"].endswith("#reproduction")
    assert "Reproduction started" in client.get(page["Location"]).content.decode()
    html = client.get(f"/publications/{DOI}/").content.decode()
    comparison = ResultComparison.objects.get()
    assert comparison.run.state == "COMPLETE", comparison.run.error
    assert comparison.status == ComparisonStatus.DIFFERS
    assert "Differs" in html and comparison.message[:30] in html
    assert f'href="/runs/{comparison.run.pk}/"' in html


def test_reproduce_without_results_shows_why(client, scientist, publication):
    publication.results.all().delete()
    client.force_login(scientist)
    page = client.post(f"/publications/{DOI}/reproduce/", follow=True)
    assert "no published results" in page.content.decode()


def test_modify_without_jupyterhub_says_so(client, scientist, publication, settings):
    settings.JUPYTERHUB_API_TOKEN = ""
    client.force_login(scientist)
    page = client.post(f"/publications/{DOI}/modify/", {"result": "Figure 1"})
    assert page.status_code == 503
    assert "JupyterHub is not configured" in page.content.decode()
    assert not Run.objects.exists()


def test_modify_opens_the_version_in_jupyterhub(client, scientist, publication, data_roots):
    settings = data_roots
    settings.JUPYTERHUB_API_TOKEN = "test-token"
    settings.EXECUTION_BACKENDS = {"*": ["local", "jupyterhub"]}
    client.force_login(scientist)
    page = client.post(f"/publications/{DOI}/modify/", {"result": "Figure 1"})
    assert page.status_code == 200
    run = Run.objects.get()
    assert run.backend == "jupyterhub" and run.dataset.pid == SAXS_DATASET
    assert run.version.version == "1.1.0" and run.tags["publication"] == DOI
    assert "Opened <strong>saxs-azimuthal-integration@1.1.0</strong>" in page.content.decode()


def test_modify_shows_the_server_url(client, scientist, publication, settings, monkeypatch):
    settings.JUPYTERHUB_API_TOKEN = "test-token"
    run = Run.objects.create(
        version=publication.results.get().version,
        owner=scientist,
        backend="jupyterhub",
        state="RUNNING",
        external_url="http://hub.example/user/scientist/modify/",
    )
    monkeypatch.setattr(services, "open_for_modification", lambda *a, **k: run)
    client.force_login(scientist)
    html = client.post(f"/publications/{DOI}/modify/", {"result": "Figure 1"}).content.decode()
    assert 'href="http://hub.example/user/scientist/modify/"' in html


def test_modify_of_an_unknown_result_is_a_message(client, scientist, publication, settings):
    settings.JUPYTERHUB_API_TOKEN = "test-token"
    client.force_login(scientist)
    page = client.post(f"/publications/{DOI}/modify/", {"result": "Figure 99"})
    assert page.status_code == 400 and "has no result Figure 99" in page.content.decode()


def test_technique_dataset_and_procedure_pages_list_publications(client, publication):
    link = f'href="/publications/{DOI}/"'
    assert link in client.get("/techniques/PaNET01188/").content.decode()
    assert link in client.get(f"/datasets/{SAXS_DATASET}/").content.decode()
    assert link in client.get("/procedures/saxs-azimuthal-integration/").content.decode()
    assert link not in client.get("/techniques/PaNET01196/").content.decode()
