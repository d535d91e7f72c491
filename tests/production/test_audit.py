"""The audit log: curator actions recorded through signals, readable by staff only."""

import pytest

from audit.models import AuditEntry
from tests.registry.factories import manifest, version_entry

pytestmark = pytest.mark.django_db


def actions() -> list[tuple[str, str, str, str]]:
    """(actor, action, object type, object_repr) of every entry, oldest first."""
    return [
        (e.actor_name, e.action, e.object_type.split(".")[1], e.object_repr)
        for e in AuditEntry.objects.order_by("id")
    ]


def test_create_publish_deprecate_delete_are_recorded_with_the_api_user(terms, roles, client_as):
    curator = client_as(roles["own_curator"])
    document = manifest(versions=[version_entry("1.0.0", status="draft")])
    assert curator.post("/api/v1/procedures/", document, format="json").status_code == 201
    base = "/api/v1/procedures/saxs-integration/versions/"
    assert curator.post(base + "1.0.0/publish/").status_code == 200
    assert curator.post(base + "1.0.0/deprecate/").status_code == 200
    draft = version_entry("2.0.0", status="draft")
    assert curator.post(base, draft, format="json").status_code == 201
    assert curator.delete(base + "2.0.0/").status_code == 204

    recorded = actions()
    version = "procedureversion"
    assert ("esrf-curator", "create", "procedure", "SAXS integration") in recorded
    assert ("esrf-curator", "create", version, "saxs-integration 1.0.0") in recorded
    assert ("esrf-curator", "publish", version, "saxs-integration 1.0.0") in recorded
    assert ("esrf-curator", "deprecate", version, "saxs-integration 1.0.0") in recorded
    assert ("esrf-curator", "delete", version, "saxs-integration 2.0.0") in recorded
    publish = AuditEntry.objects.get(action="publish", object_repr="saxs-integration 1.0.0")
    assert publish.object_type == "registry.procedureversion"
    assert publish.details == {"from": "draft", "to": "published"}


def test_a_dry_run_leaves_no_entry(terms, roles, client_as):
    before = AuditEntry.objects.count()
    response = client_as(roles["own_curator"]).post(
        "/api/v1/procedures/validate/", manifest(), format="json"
    )
    assert response.status_code == 200
    assert AuditEntry.objects.count() == before


def test_actions_outside_a_request_have_no_actor(registry):
    entry = AuditEntry.objects.filter(object_type="registry.procedure").first()
    assert entry.actor is None and entry.action == "create"


@pytest.mark.parametrize("role", ["anonymous", "user", "own_curator"])
def test_only_staff_read_the_log(registry, client_as, role):
    response = client_as(registry[role]).get("/api/v1/audit/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"error"}


def test_staff_read_and_filter_the_log(registry, client_as):
    staff = client_as(registry["staff"])
    everything = staff.get("/api/v1/audit/").json()
    assert everything["count"] == AuditEntry.objects.count() > 0
    published = staff.get("/api/v1/audit/", {"action": "publish"}).json()["results"]
    assert published and all(row["action"] == "publish" for row in published)
    assert staff.get("/api/v1/audit/", {"action": "nonsense"}).status_code == 400


def test_admin_lists_entries_read_only(registry, client):
    client.force_login(registry["staff"].__class__.objects.create_superuser("root", "", "pw"))
    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
