"""The permissions matrix: anonymous, a plain user, another facility's curator, the owning
facility's curator and staff, on draft and published procedures."""

import pytest

from registry.models import Procedure
from registry.services import register_manifest
from tests.registry.factories import manifest, version_entry

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "user", "other_curator", "own_curator", "staff"]

# role: (sees the draft, may edit the draft, may edit the published procedure)
MATRIX = {
    "anonymous": (False, False, False),
    "user": (False, False, False),
    "other_curator": (False, False, False),
    "own_curator": (True, True, True),
    "staff": (True, True, True),
}


@pytest.fixture
def procedures(terms, facilities):
    register_manifest(manifest(slug="draft-one", versions=[version_entry(status="draft")]))
    register_manifest(
        manifest(
            slug="public-one", versions=[version_entry(), version_entry("2.0.0", status="draft")]
        )
    )
    return Procedure.objects.in_bulk(field_name="slug")


@pytest.mark.parametrize("role", ROLES)
def test_draft_visibility(api, users, procedures, role):
    sees_draft, _, _ = MATRIX[role]
    client = api(users[role])
    listed = {p["slug"] for p in client.get("/api/v1/procedures/").json()["results"]}
    assert ("draft-one" in listed) is sees_draft
    assert "public-one" in listed
    assert (client.get("/api/v1/procedures/draft-one/").status_code == 200) is sees_draft
    versions = [
        v["version"] for v in client.get("/api/v1/procedures/public-one/").json()["versions"]
    ]
    assert ("2.0.0" in versions) is sees_draft
    status = client.get("/api/v1/procedures/public-one/versions/2.0.0/").status_code
    assert status == (200 if sees_draft else 404)
    listed_versions = {
        v["version"] for v in client.get("/api/v1/versions/?procedure=public-one").json()["results"]
    }
    assert ("2.0.0" in listed_versions) is sees_draft


@pytest.mark.parametrize("role", ROLES)
def test_editing(api, users, procedures, role):
    _, edits_draft, edits_published = MATRIX[role]
    client = api(users[role])
    patch = {"procedure": {"summary": f"Summary changed by {role}."}}
    draft_status = client.patch("/api/v1/procedures/draft-one/", patch, format="json").status_code
    expected_hidden = 401 if role == "anonymous" else 404
    assert draft_status == (200 if edits_draft else expected_hidden)
    published_status = client.patch(
        "/api/v1/procedures/public-one/", patch, format="json"
    ).status_code
    expected_denied = 401 if role == "anonymous" else 403
    assert published_status == (200 if edits_published else expected_denied)
    publish = client.post("/api/v1/procedures/public-one/versions/2.0.0/publish/").status_code
    assert publish == (200 if edits_published else (401 if role == "anonymous" else 404))


@pytest.mark.parametrize("role", ROLES)
def test_creating(api, users, terms, facilities, role):
    client = api(users[role])
    status = client.post("/api/v1/procedures/", manifest(slug="new-one"), format="json").status_code
    expected = {
        "anonymous": 401,
        "user": 403,
        "other_curator": 403,
        "own_curator": 201,
        "staff": 201,
    }
    assert status == expected[role]


def test_curator_cannot_claim_a_facility_they_do_not_curate(api, users, terms, facilities):
    response = api(users["own_curator"]).post(
        "/api/v1/procedures/", manifest(slug="x-proc", facilities=["esrf", "ill"]), format="json"
    )
    assert response.status_code == 403
    assert "ill" in response.json()["error"]["message"]
