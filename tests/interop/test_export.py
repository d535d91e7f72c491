"""Registry export and import: identical API output after a round trip; bad exports refused."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from ontologies.nexus import load_nxdl_snapshot
from registry.interop.export import FILES, OPTIONAL_FILES
from registry.models import Facility, Procedure, Resource

API_LISTS = (
    "/api/v1/procedures/",
    "/api/v1/facilities/",
    "/api/v1/resources/",
    "/api/v1/instruments/",
    "/api/v1/versions/",
)


# Details, as a curator of the procedures sees them (drafts included), and other APIs.
API_DETAILS = (
    "/api/v1/procedures/saxs/",
    "/api/v1/procedures/saxs/versions/",
    "/api/v1/procedures/saxs/versions/1.0.0/",
    "/api/v1/procedures/saxs/versions/1.1.0/",
    "/api/v1/procedures/saxs/manifest/",
    "/api/v1/procedures/tomo-reconstruction/",
    "/api/v1/facilities/esrf/",
    "/api/v1/techniques/",
    "/api/v1/techniques/tree/",
    "/api/v1/nexus-definitions/",
    "/api/v1/nexus-definitions/NXsas/",
    "/ga4gh/trs/v2/tools",
    "/ga4gh/trs/v2/tools/saxs/versions/1.1.0",
)


def api_output(client) -> dict:
    """Every list, then every detail (with its status), as JSON."""
    lists = {path: client.get(path, {"page_size": 200}).json() for path in API_LISTS}
    details = {}
    for path in API_DETAILS:
        response = client.get(path)
        details[path] = (response.status_code, response.json())
    return {**lists, **details}


@pytest.fixture
def exported(registry_data, tmp_path):
    Procedure.objects.filter(slug="saxs").update(successful_runs=7)
    load_nxdl_snapshot()
    Resource.objects.create(
        kind="simulation",
        title="Standalone",
        url="https://example.org/sim",
        facility=registry_data["diamond"],
    )
    directory = tmp_path / "export"
    call_command("export_registry", str(directory))
    return directory


def empty_database() -> None:
    """Empty every table, as in a new installation (rolled back with the test)."""
    if connection.vendor == "postgresql":
        # Django's foreign keys are deferred: PostgreSQL refuses TRUNCATE while their checks
        # are pending in the test's transaction, so run them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)


def test_round_trip_reproduces_the_api(exported, client):
    client.force_login(get_user_model().objects.get(username="alice"))
    before = api_output(client)
    assert before["/api/v1/procedures/"]["count"] == 2
    assert {path: before[path][0] for path in API_DETAILS} == dict.fromkeys(API_DETAILS, 200)
    assert before["/api/v1/nexus-definitions/NXsas/"][1]["required_groups"]
    empty_database()
    get_user_model().objects.create_user("alice", first_name="Alice", last_name="Curie")
    call_command("import_registry", str(exported))
    client.force_login(get_user_model().objects.get(username="alice"))
    assert api_output(client) == before
    assert list(Facility.objects.get(slug="esrf").curators.values_list("username", flat=True)) == [
        "alice"
    ]


def test_manifest_lists_checksums_of_every_file(exported):
    manifest = json.loads((exported / "manifest.json").read_text())
    assert manifest["format_version"] == 1
    assert set(manifest["files"]) == {*FILES, *OPTIONAL_FILES}
    assert all(len(f["sha256"]) == 64 for f in manifest["files"].values())


def test_an_export_from_before_nexus_definitions_still_imports(exported, capsys):
    (exported / "nexus_definitions.json").unlink()
    edit_manifest(exported, lambda m: m["files"].pop("nexus_definitions.json"))
    empty_database()
    call_command("import_registry", str(exported))
    assert Procedure.objects.count() == 2
    assert "procedures" in capsys.readouterr().err  # the progress bar


def edit_manifest(directory, change) -> None:
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "procedures.json").write_text("[]"), "Checksum mismatch"),
        (lambda d: edit_manifest(d, lambda m: m.update(format_version=2)), "Unknown export format"),
        (lambda d: edit_manifest(d, lambda m: m["files"].update({"../evil.json": {}})), "Unsafe"),
        (lambda d: (d / "manifest.json").unlink(), "Missing file manifest.json"),
        (lambda d: (d / "resources.json").unlink(), "Missing file resources.json"),
        (lambda d: edit_manifest(d, lambda m: m["files"].pop("ontology.json")), "does not list"),
    ],
)
def test_bad_exports_are_refused_and_nothing_written(exported, damage, message):
    damage(exported)
    empty_database()
    with pytest.raises(CommandError, match=message):
        call_command("import_registry", str(exported))
    assert not Facility.objects.exists() and not Procedure.objects.exists()


def test_failure_midway_writes_nothing(exported):
    empty_database()
    path = exported / "procedures.json"
    procedures = json.loads(path.read_text())
    procedures[-1]["manifest"]["procedure"]["facilities"] = ["nowhere"]
    data = json.dumps(procedures).encode()
    path.write_bytes(data)
    import hashlib

    edit_manifest(
        exported,
        lambda m: m["files"]["procedures.json"].update(sha256=hashlib.sha256(data).hexdigest()),
    )
    with pytest.raises(CommandError, match="Unknown facility"):
        call_command("import_registry", str(exported))
    assert not Facility.objects.exists() and not Procedure.objects.exists()


def test_export_refuses_a_non_empty_directory(registry_data, tmp_path):
    (tmp_path / "x").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_registry", str(tmp_path))
