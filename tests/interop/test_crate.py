"""Workflow RO-Crates: content, round trip through import_crate, and bad crates refused."""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from registry.interop.crate import MANIFEST_NAME, METADATA_NAME, version_manifest
from registry.models import Procedure, ProcedureVersion, Resource
from tests.interop.conftest import DIGEST, NOTEBOOK, SAXS

CRATE_URL = "/api/v1/procedures/saxs/versions/{}/crate.zip"


def fetch_crate(client, number="1.1.0") -> bytes:
    response = client.get(CRATE_URL.format(number))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    return response.content


def graph_of(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        metadata = json.loads(archive.read(METADATA_NAME))
    return {entity["@id"]: entity for entity in metadata["@graph"]}


def test_crate_describes_the_version(registry_data, client):
    data = fetch_crate(client)
    graph = graph_of(data)
    main = graph[graph["./"]["mainEntity"]["@id"]]
    assert main["@id"] == "analysis.ipynb"
    assert "ComputationalWorkflow" in main["@type"]
    assert main["license"] == "https://spdx.org/licenses/MIT"
    assert main["codeRepository"].endswith("procedures.git")
    assert main["version"] == "3f1c2b9a7d4e5f60718293a4b5c6d7e8f9012345"
    assert graph[main["creator"][0]["@id"]]["name"] == "Alice Curie"
    assert graph[main["about"][0]["@id"]] | {"@id": SAXS} == graph[SAXS]
    assert graph[SAXS]["@type"] == "DefinedTerm"
    container = graph[main["softwareRequirements"][0]["@id"]]
    assert "ContainerImage" in container["@type"] and container["sha256"] == DIGEST
    params = {graph[p["@id"]]["name"]: graph[p["@id"]] for p in main["input"]}
    assert params["bins"]["additionalType"] == "Integer"
    assert params["bins"]["defaultValue"] == "200"
    assert params["dataset_path"]["valueRequired"] is True
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert json.loads(archive.read("analysis.ipynb")) == NOTEBOOK
        assert MANIFEST_NAME in archive.namelist()


def test_crate_of_draft_hidden_from_anonymous(registry_data, client):
    assert client.get(CRATE_URL.format("2.0.0-dev")).status_code == 404
    client.force_login(registry_data["alice"])
    assert client.get(CRATE_URL.format("2.0.0-dev")).status_code == 200


def test_crate_without_working_copy_points_at_the_commit(registry_data, client, settings):
    settings.CODE_MIRRORS = {}
    graph = graph_of(fetch_crate(client))
    main_id = graph["./"]["mainEntity"]["@id"]
    assert main_id.startswith("https://github.com/") and "/blob/" in main_id


def remove_procedure(slug: str) -> None:
    """Remove a procedure as if it had never been registered.

    Versions are deleted without the ORM's cascade collection, which would query the tables of
    apps above the registry (runs, publications) that hold nothing in these tests."""
    Resource.objects.filter(procedures__slug=slug).delete()
    versions = ProcedureVersion.objects.filter(procedure__slug=slug)
    versions.update(base_version=None)
    versions._raw_delete(versions.db)
    Procedure.objects.filter(slug=slug).delete()


@pytest.mark.parametrize("number", ["1.0.0", "1.1.0"])
def test_export_then_import_loses_nothing(registry_data, client, tmp_path, number):
    data = {n: fetch_crate(client, n) for n in ("1.0.0", "1.1.0")}
    before = version_manifest(ProcedureVersion.objects.get(version=number))
    remove_procedure("saxs")
    for n in ("1.0.0", "1.1.0"):  # a version based on another needs that one first
        (tmp_path / f"{n}.zip").write_bytes(data[n])
        if n == number or number == "1.1.0":
            call_command("import_crate", str(tmp_path / f"{n}.zip"))
    after = version_manifest(ProcedureVersion.objects.get(version=number))
    assert after == before


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def crate_without_main_entity(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    metadata = json.loads(members[METADATA_NAME])
    for entity in metadata["@graph"]:
        entity.pop("mainEntity", None)
    members[METADATA_NAME] = json.dumps(metadata).encode()
    return make_zip(members)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda good: b"not a zip at all", "Not a zip file"),
        (lambda good: make_zip({"readme.txt": b"hi"}), "No ro-crate-metadata.json"),
        (crate_without_main_entity, "no mainEntity"),
        (lambda good: make_zip({"../evil": b"x", METADATA_NAME: b"{}"}), "Unsafe path"),
        (lambda good: make_zip({"/etc/evil": b"x"}), "Unsafe path"),
        (lambda good: make_zip({METADATA_NAME: b"{not json"}), "not valid JSON"),
    ],
)
def test_bad_crates_are_refused_and_nothing_written(registry_data, client, tmp_path, make, message):
    bad = make(fetch_crate(client))
    remove_procedure("saxs")
    path = tmp_path / "bad.zip"
    path.write_bytes(bad)
    with pytest.raises(CommandError, match=message):
        call_command("import_crate", str(path))
    assert not Procedure.objects.filter(slug="saxs").exists()


def test_huge_member_is_refused(registry_data, tmp_path, monkeypatch):
    from registry.interop import crate

    monkeypatch.setattr(crate, "MAX_MEMBER_BYTES", 10)
    path = tmp_path / "huge.zip"
    path.write_bytes(make_zip({METADATA_NAME: b"{}", "big.bin": b"0" * 100}))
    with pytest.raises(CommandError, match="larger than"):
        call_command("import_crate", str(path))


def test_invalid_manifest_in_crate_writes_nothing(registry_data, client, tmp_path):
    data = fetch_crate(client, "1.0.0")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members[MANIFEST_NAME])
    manifest["procedure"]["slug"] = "saxs-copy"
    manifest["procedure"]["facilities"] = ["nowhere"]
    members[MANIFEST_NAME] = json.dumps(manifest).encode()
    path = tmp_path / "invalid.zip"
    path.write_bytes(make_zip(members))
    with pytest.raises(CommandError, match="Unknown facility"):
        call_command("import_crate", str(path))
    assert not Procedure.objects.filter(slug="saxs-copy").exists()


def test_missing_file_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="No crate file"):
        call_command("import_crate", str(tmp_path / "absent.zip"))
