"""The permissions matrix: anonymous, a plain user, another facility's curator, an owner of
the procedures who curates no facility, the owning facility's curator and staff, on draft and
published procedures."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from datasets.models import Dataset
from registry.models import Procedure, Resource
from registry.services import register_manifest
from tests.registry.factories import SAXS, UserFactory, manifest, version_entry

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "user", "other_curator", "owner", "own_curator", "staff"]

# role: (sees the draft, may edit the draft, may edit the published procedure)
MATRIX = {
    "anonymous": (False, False, False),
    "user": (False, False, False),
    "other_curator": (False, False, False),
    "owner": (True, True, True),
    "own_curator": (True, True, True),
    "staff": (True, True, True),
}


@pytest.fixture
def roles(users):
    """The users of the matrix: those of ``users`` plus ``owner``, a plain user who owns the
    procedures of ``procedures`` without curating any facility."""
    return {**users, "owner": UserFactory(username="owner")}


@pytest.fixture
def procedures(terms, facilities, roles):
    """draft-one (a draft) and public-one (published 1.0.0, draft 2.0.0), both of ESRF and
    owned by ``owner``; both link the tutorial "SAXS basics"."""
    register_manifest(
        manifest(slug="draft-one", owners=["owner"], versions=[version_entry(status="draft")])
    )
    register_manifest(
        manifest(
            slug="public-one",
            owners=["owner"],
            versions=[version_entry(), version_entry("2.0.0", status="draft")],
        )
    )
    return Procedure.objects.in_bulk(field_name="slug")


@pytest.mark.parametrize("role", ROLES)
def test_draft_visibility(api, roles, procedures, role):
    sees_draft, _, _ = MATRIX[role]
    client = api(roles[role])
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
def test_editing(api, roles, procedures, role):
    _, edits_draft, edits_published = MATRIX[role]
    client = api(roles[role])
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
def test_creating(api, roles, terms, facilities, role):
    client = api(roles[role])
    status = client.post("/api/v1/procedures/", manifest(slug="new-one"), format="json").status_code
    expected = {
        "anonymous": 401,
        "user": 403,
        "other_curator": 403,
        "owner": 403,
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


def test_curator_cannot_move_a_procedure_to_a_facility_they_do_not_curate(api, users, procedures):
    esrf = api(users["own_curator"])
    moved = {"procedure": {"facilities": ["ill"]}}
    response = esrf.patch("/api/v1/procedures/public-one/", moved, format="json")
    assert response.status_code == 403
    assert "you do not curate ill" in response.json()["error"]["message"]
    document = esrf.get("/api/v1/procedures/public-one/manifest/").json()
    document["procedure"]["facilities"] = ["esrf", "ill"]
    assert esrf.put("/api/v1/procedures/public-one/", document, format="json").status_code == 403
    assert esrf.post("/api/v1/procedures/", document, format="json").status_code == 403
    assert set(procedures["public-one"].facilities.values_list("slug", flat=True)) == {"esrf"}
    staff = api(users["staff"]).put("/api/v1/procedures/public-one/", document, format="json")
    assert staff.status_code == 200
    # Facilities the procedure already has may stay: ESRF's curator edits the joint procedure.
    document["procedure"]["summary"] = "Joint ESRF and ILL procedure."
    assert esrf.put("/api/v1/procedures/public-one/", document, format="json").status_code == 200


def test_owner_cannot_attach_a_facility(api, roles, procedures):
    response = api(roles["owner"]).patch(
        "/api/v1/procedures/draft-one/", {"procedure": {"facilities": ["esrf", "ill"]}}, "json"
    )
    assert response.status_code == 403
    assert set(procedures["draft-one"].facilities.values_list("slug", flat=True)) == {"esrf"}


def test_register_procedure_command_refuses_a_facility_the_user_does_not_curate(
    users, procedures, tmp_path
):
    path = tmp_path / "moved.json"
    path.write_text(json.dumps(manifest(slug="public-one", facilities=["ill"])))
    with pytest.raises(CommandError, match="you do not curate ill"):
        call_command("register_procedure", str(path), "--user", "esrf-curator")
    assert set(procedures["public-one"].facilities.values_list("slug", flat=True)) == {"esrf"}


@pytest.mark.parametrize("role", ROLES)
def test_resources_show_only_procedures_the_user_may_see(api, roles, procedures, role):
    sees_draft, _, _ = MATRIX[role]
    client = api(roles[role])
    expected = {"draft-one", "public-one"} if sees_draft else {"public-one"}
    listed = client.get("/api/v1/resources/").json()["results"]
    assert [set(r["procedures"]) for r in listed] == [expected]
    detail = client.get(f"/api/v1/resources/{listed[0]['id']}/").json()
    assert set(detail["procedures"]) == expected
    by_draft = client.get("/api/v1/resources/", {"procedure": "draft-one"}).json()["results"]
    assert len(by_draft) == (1 if sees_draft else 0)
    by_public = client.get("/api/v1/resources/", {"procedure": "public-one"}).json()["results"]
    assert len(by_public) == 1


def test_curator_cannot_link_a_resource_to_a_hidden_draft(api, users, procedures):
    resource = {"kind": "tutorial", "title": "SAXS at ILL", "url": "https://example.org/ill-saxs"}
    ill = api(users["other_curator"])
    hidden = ill.post("/api/v1/resources/", {**resource, "procedures": ["draft-one"]}, "json")
    unknown = ill.post("/api/v1/resources/", {**resource, "procedures": ["no-such-one"]}, "json")
    assert hidden.status_code == unknown.status_code == 400
    assert hidden.json()["error"]["details"]["procedures"] == [
        message.replace("no-such-one", "draft-one")
        for message in unknown.json()["error"]["details"]["procedures"]
    ]
    assert not Resource.objects.filter(url=resource["url"]).exists()
    own = api(users["own_curator"])
    linked = own.post("/api/v1/resources/", {**resource, "procedures": ["draft-one"]}, "json")
    assert linked.status_code == 201
    assert linked.json()["procedures"] == ["draft-one"]


def test_editing_a_resource_keeps_its_links_to_hidden_drafts(api, users, procedures):
    resource = Resource.objects.get(title="SAXS basics")
    resource.facility = users["other_curator"].curated_facilities.get()
    resource.save()
    response = api(users["other_curator"]).patch(
        f"/api/v1/resources/{resource.pk}/", {"procedures": ["public-one"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["procedures"] == ["public-one"]
    linked = set(resource.procedures.values_list("slug", flat=True))
    assert linked == {"draft-one", "public-one"}


def test_technique_counts_leave_out_drafts_and_private_datasets(api, users, procedures):
    for pid, is_public in [("public-run", True), ("private-run", False)]:
        Dataset.objects.create(pid=pid, title=pid, is_public=is_public).techniques.add(
            procedures["public-one"].techniques.get()
        )
    term = api().get("/api/v1/techniques/lookup/", {"iri": SAXS}).json()
    assert term["counts"] == {"procedures": 1, "resources": 1, "datasets": 1}
    assert [p["slug"] for p in term["procedures"]] == ["public-one"]
    listed = api(users["own_curator"]).get("/api/v1/techniques/", {"q": "saxs"}).json()
    saxs = next(t for t in listed["results"] if t["iri"] == SAXS)
    assert saxs["counts"]["procedures"] == 1
