"""The ingest and import_panosc commands, on real sample files and generated examples."""

import json

import pytest
from django.core.management import CommandError, call_command

from datasets.models import Dataset, Document
from tests.conftest import shared_path

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    """Run a command; its standard output and error."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_ingest_shared_samples_reports_bad_files_and_goes_on(tmp_path, settings):
    samples = shared_path("nexus-samples")
    settings.VAR_DIR = tmp_path
    output = run("ingest", str(samples), "--recursive", "--workers", "2")
    assert "FAILED" in output and "HDF4" in output  # the HDF4 file, named with its reason
    assert "failed 1" in output
    ingested = Dataset.objects.count()
    assert ingested >= 40
    sas = Dataset.objects.get(
        source_path=str((samples / "APS/NXsas/hdf5/nexus-example.hdf5").resolve())
    )
    assert sas.title == "NeXus NXsas example" and sas.instrument_name
    assert sas.parameters.filter(name="detector_distance", si_unit="meter").exists()
    assert sas.default_plot is not None

    again = run("ingest", str(samples), "--recursive")
    assert f"ingested 0, unchanged {ingested}, failed 1" in again
    assert Dataset.objects.count() == ingested


def test_ingest_fails_only_when_nothing_could_be_ingested(tmp_path):
    bad = tmp_path / "bad.nxs"
    bad.write_bytes(b"not an HDF5 file at all")
    with pytest.raises(CommandError, match="Nothing could be ingested"):
        run("ingest", str(bad))
    with pytest.raises(CommandError, match="No such file"):
        run("ingest", str(tmp_path / "missing.nxs"))


def test_ingest_generated_examples(tmp_path):
    from datasets.examples import write_examples

    paths = write_examples(tmp_path / "examples")
    output = run("ingest", str(tmp_path / "examples"), "--recursive")
    assert f"ingested {len(paths)}" in output
    assert Dataset.objects.count() == len(paths)


PANOSC_JSON = [
    {
        "pid": "10.5072/imp/doc-1",
        "type": "proposal",
        "title": "Imported proposal",
        "isPublic": True,
        "keywords": ["copper"],
        "members": [{"role": "principal investigator", "person": {"fullName": "Ada Lovelace"}}],
        "parameters": [{"name": "wavelength", "value": 1064, "unit": "nm"}],
        "datasets": [
            {
                "pid": "10.5072/imp/ds-1",
                "title": "Imported dataset",
                "isPublic": True,
                "creationDate": "2022-01-02T03:04:05.000Z",
                "size": 99,
                "instrument": {"pid": "inst-1", "name": "LoKI", "facility": "ESS"},
                "techniques": [
                    {
                        "pid": "x",
                        "name": "x-ray absorption",
                        "panetId": "http://purl.org/pan-science/PaNET/T0007",
                    },
                    {"pid": "y", "name": "not in the ontology"},
                ],
                "parameters": [{"name": "photon_energy", "value": 930, "unit": "eV"}],
                "files": [{"name": "file1.hdf", "size": 10}],
                "samples": [{"pid": "s", "name": "copper cylinder"}],
            }
        ],
    }
]


def test_import_panosc_shows_progress(tmp_path, hierarchy, capsys):
    source = tmp_path / "answer.json"
    source.write_text(json.dumps(PANOSC_JSON))
    run("import_panosc", str(source))
    progress = capsys.readouterr().err
    assert "import: 100%" in progress and "1/1" in progress


def test_import_panosc_documents_with_datasets(tmp_path, hierarchy):
    source = tmp_path / "answer.json"
    source.write_text(json.dumps(PANOSC_JSON))
    output = run("import_panosc", str(source))
    assert "imported 1 datasets and 1 documents" in output
    assert "unknown technique skipped: not in the ontology" in output
    dataset = Dataset.objects.get(pid="10.5072/imp/ds-1")
    assert list(dataset.techniques.values_list("label", flat=True)) == ["x-ray absorption"]
    assert dataset.instrument_name == "LoKI" and dataset.facility_name == "ESS"
    assert dataset.parameters.get(name="photon_energy").si_unit.startswith("kilogram")
    document = Document.objects.get(pid="10.5072/imp/doc-1")
    assert list(document.datasets.all()) == [dataset]
    assert document.parameters.get().value == 1064

    run("import_panosc", str(source))  # importing again replaces, never duplicates
    assert Dataset.objects.count() == 1 and dataset.parameters.count() == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("{broken", "Not valid JSON"),
        ('"a string"', "Expected a JSON array"),
        (json.dumps([{"pid": "ok", "title": "ok"}, {"title": "no pid"}]), "item 1: missing pid"),
        (
            json.dumps([{"pid": "p", "title": "t", "creationDate": "yesterday"}]),
            "not an ISO 8601 date",
        ),
    ],
)
def test_import_panosc_bad_json_writes_nothing(tmp_path, text, message):
    source = tmp_path / "bad.json"
    source.write_text(text)
    with pytest.raises(CommandError, match=message):
        run("import_panosc", str(source))
    assert Dataset.objects.count() == 0 and Document.objects.count() == 0
