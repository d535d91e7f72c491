"""The curator area (permissions, registering, errors by field, publishing) and run pages."""

import json

import pytest

from execution.choices import RunState
from execution.models import Run
from registry.models import Procedure
from tests.portal.conftest import PASSWORD, SAXS, SAXS_DATASET
from tests.registry.factories import COMMIT, DIGEST

pytestmark = pytest.mark.django_db


def form_data(**changes) -> dict:
    """A valid procedure form for an ESRF curator, with ``changes``."""
    data = {
        "name": "Portal test SAXS",
        "slug": "portal-test-saxs",
        "summary": "A procedure registered through the portal form.",
        "license": "MIT",
        "techniques": "PaNET01188",
        "facilities": ["esrf"],
        "version": "1.0.0",
        "kind": "notebook",
        "repository": "https://github.com/example/portal-test.git",
        "commit": COMMIT,
        "entry_point": "analysis.ipynb",
        "container": f"ghcr.io/example/portal-test:1.0.0@{DIGEST}",
        "input_schema": json.dumps({"type": "object", "properties": {}}),
        "required_nexus": "NXentry/NXdata",
    }
    data.update(changes)
    return data


def test_curator_area_sends_anonymous_users_to_login(client):
    page = client.get("/curator/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")


def test_curator_area_refuses_non_curators(client, scientist):
    client.force_login(scientist)
    assert client.get("/curator/").status_code == 403
    assert client.get("/curator/register/").status_code == 403


def test_curator_sees_the_curator_link_and_dashboard(client, curator):
    client.force_login(curator)
    assert "Curator area" in client.get("/").content.decode()
    html = client.get("/curator/").content.decode()
    assert "<h1>Curator area</h1>" in html and "Register a procedure" in html


def test_login_page_and_login(client, curator):
    html = client.get("/accounts/login/").content.decode()
    assert "<h1>Log in</h1>" in html and 'for="id_username"' in html
    page = client.post("/accounts/login/", {"username": "curator", "password": PASSWORD})
    assert page.status_code == 302
    assert client.post("/accounts/logout/").status_code in (200, 302)
    assert client.get("/curator/").status_code == 302


def test_register_shows_validator_errors_next_to_fields(client, curator):
    client.force_login(curator)
    page = client.post("/curator/register/", form_data(commit="abc", techniques="PaNET00000"))
    html = page.content.decode()
    assert page.status_code == 400
    assert 'id="id_commit_errors"' in html and 'id="id_techniques_errors"' in html
    assert not Procedure.objects.filter(slug="portal-test-saxs").exists()


def test_register_rejects_invalid_schema_json(client, curator):
    client.force_login(curator)
    page = client.post("/curator/register/", form_data(input_schema="{not json"))
    assert page.status_code == 400 and "Not valid JSON" in page.content.decode()


def test_register_refuses_facilities_the_curator_does_not_curate(client, curator):
    client.force_login(curator)
    page = client.post("/curator/register/", form_data(facilities=[]))
    assert page.status_code == 400 and "facilities you curate" in page.content.decode()


def test_register_then_publish(client, curator):
    client.force_login(curator)
    page = client.post("/curator/register/", form_data())
    assert page.status_code == 302
    procedure = Procedure.objects.get(slug="portal-test-saxs")
    version = procedure.versions.get()
    assert version.status == "draft"
    assert "Portal test SAXS" in client.get("/curator/").content.decode()
    client.post(f"/curator/versions/{version.pk}/publish/")
    version.refresh_from_db()
    assert version.status == "published"
    assert "Portal test SAXS" in client.get("/techniques/PaNET01188/").content.decode()


def test_publish_without_a_pinned_container_shows_why(client, curator):
    client.force_login(curator)
    client.post("/curator/register/", form_data(container=""))
    version = Procedure.objects.get(slug="portal-test-saxs").versions.get()
    page = client.post(f"/curator/versions/{version.pk}/publish/", follow=True)
    assert "was not published" in page.content.decode()
    version.refresh_from_db()
    assert version.status == "draft"


def test_manifest_upload_registers_and_reports_problems(client, curator):
    client.force_login(curator)
    broken = b"manifest_version: 1\nprocedure: {slug: Bad Slug}\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post("/curator/manifest/", {"manifest": SimpleUploadedFile("p.yaml", broken)})
    assert page.status_code == 400 and "/procedure" in page.content.decode()
    manifest = {
        "manifest_version": 1,
        "procedure": {
            "slug": "portal-manifest", "name": "Portal manifest", "summary": "From a file.",
            "license": "MIT", "facilities": ["esrf"], "techniques": [SAXS],
        },
        "versions": [{
            "version": "0.1.0", "status": "draft", "kind": "script",
            "code": {"repository": "https://github.com/x/y.git", "commit": COMMIT,
                     "entry_point": "run.py"},
            "inputs": {"schema": {"type": "object"}},
        }],
    }  # fmt: skip
    upload = SimpleUploadedFile("p.json", json.dumps(manifest).encode())
    assert client.post("/curator/manifest/", {"manifest": upload}).status_code == 302
    assert Procedure.objects.filter(slug="portal-manifest").exists()


def test_run_form_errors_are_shown_by_field(client, scientist):
    client.force_login(scientist)
    page = client.post(
        "/procedures/saxs-azimuthal-integration/run/",
        {"version": "1.0.0", "param_n_bins": "1"},
    )
    assert page.status_code == 400 and 'id="id_param_n_bins_errors"' in page.content.decode()


def test_run_requires_login(client):
    page = client.post("/procedures/saxs-azimuthal-integration/run/", {"version": "1.0.0"})
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_analyse_starts_a_run_and_the_run_page_shows_it(client, scientist, data_roots, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    client.force_login(scientist)
    page = client.post(
        "/analyse/",
        {"procedure": "saxs-azimuthal-integration", "version": "1.0.0",
         "dataset": SAXS_DATASET, "backend": "binder", "facility": ""},
    )  # fmt: skip
    run = Run.objects.get(owner=scientist)
    assert page.status_code == 302 and page["Location"] == f"/runs/{run.pk}/"
    html = client.get(f"/runs/{run.pk}/").content.decode()
    assert "<h1>Run of SAXS azimuthal integration 1.0.0</h1>" in html
    assert "data-run-status" in html
    status = client.get(f"/runs/{run.pk}/status.json").json()
    assert status["state"] in RunState.values
    assert "My runs" in client.get("/runs/").content.decode()


def test_runs_of_others_are_404(client, scientist, curator, data_roots, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    client.force_login(scientist)
    client.post(
        "/analyse/",
        {"procedure": "saxs-azimuthal-integration", "version": "1.0.0", "dataset": SAXS_DATASET},
    )
    run = Run.objects.get(owner=scientist)
    client.force_login(curator)
    assert client.get(f"/runs/{run.pk}/").status_code == 404


def test_analyse_with_an_unknown_version_shows_a_message(client, scientist):
    client.force_login(scientist)
    page = client.post("/analyse/", {"procedure": "nope", "version": "9"}, follow=True)
    assert page.status_code == 200 and "does not exist" in page.content.decode()
