"""Publication bundles: export, import into an empty database, reproduce there; bad bundles."""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from datasets.models import Dataset
from publications.models import Publication
from registry.models import Procedure
from tests.publications.conftest import load_base

DOI = "10.5072/demo.si-powder"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_bundle_round_trip_into_an_empty_database_reproduces(
    demo_content, api, client, tmp_path, capsys
):
    call_command("reproduce", DOI, "--wait", "120", "--user", "scientist")
    bars = capsys.readouterr().err
    assert "runs finished: 100%" in bars and "results compared: 100%" in bars
    call_command("export_publication_bundle", DOI, str(tmp_path / "exported.zip"))
    assert "bundle:" in capsys.readouterr().err
    exported = zipfile.ZipFile(tmp_path / "exported.zip")
    assert exported.testzip() is None
    assert any(n.startswith("runs/") for n in exported.namelist()), "the operator's has every run"
    anonymous = client.get(f"/api/v1/publications/{DOI}/crate.zip")
    assert anonymous.status_code == 200
    others = zipfile.ZipFile(io.BytesIO(b"".join(anonymous.streaming_content))).namelist()
    assert "publication.json" in others
    assert not any(n.startswith("runs/") for n in others), "runs are their owner's to read"
    response = api.get(f"/api/v1/publications/{DOI}/crate.zip")
    assert response.status_code == 200
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(b"".join(response.streaming_content))
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        metadata = json.loads(archive.read("ro-crate-metadata.json"))
    assert "publication.json" in names and "procedures/powder-peak-search.json" in names
    assert any(n.startswith("runs/") and n.endswith("ro-crate-metadata.json") for n in names)
    assert any(e.get("identifier") == f"https://doi.org/{DOI}" for e in metadata["@graph"])

    call_command("flush", interactive=False)
    load_base()
    assert not Publication.objects.exists() and not Procedure.objects.exists()
    imported = io.StringIO()
    call_command("import_crate", str(bundle), stdout=imported)  # the command, as is
    assert imported.getvalue().startswith(f"imported {DOI}: 1 result(s)")
    assert "import: 100%" in capsys.readouterr().err
    publication = Publication.objects.get(doi=DOI)
    assert publication.results.count() == 1
    assert Dataset.objects.filter(pid="10.5072/demo:powder-diffraction").exists()
    out = io.StringIO()
    call_command("reproduce", DOI, "--json", "--wait", "120", stdout=out)
    assert json.loads(out.getvalue())["status"] == "reproduced"


def zip_with(path, members: dict) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"ro-crate-metadata.json": "{}", "../evil.txt": "x", "publication.json": "{}"},
         "Unsafe path"),
        ({"ro-crate-metadata.json": "{}", "/etc/evil": "x"}, "Unsafe path"),
        ({"publication.json": "{}"}, "no ro-crate-metadata.json"),
        ({"ro-crate-metadata.json": "{}", "publication.json": "[]"}, "no publication record"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("command", ["import_publication_bundle", "import_crate"])
def test_bad_bundles_are_one_clear_error_and_write_nothing(tmp_path, members, message, command):
    bundle = tmp_path / "bad.zip"
    zip_with(bundle, members)
    with pytest.raises(CommandError, match=message) as raised:
        call_command(command, str(bundle))
    assert "\n" not in str(raised.value)
    assert not Publication.objects.exists()
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.django_db
def test_bundle_naming_a_missing_dataset_file_writes_nothing(tmp_path):
    load_base()
    record = {
        "record": {"DOI": "10.5072/test.bundle", "title": "T", "author": [{"literal": "A"}]},
        "datasets": [{"pid": "10.5072/x", "file": "datasets/0/missing.nxs"}],
    }
    bundle = tmp_path / "b.zip"
    zip_with(bundle, {"ro-crate-metadata.json": "{}", "publication.json": json.dumps(record)})
    with pytest.raises(CommandError, match="lacks"):
        call_command("import_publication_bundle", str(bundle))
    assert not Publication.objects.exists()
