"""The NXDL → technique mapping and the NXDL reader."""

import csv

import pytest
from django.core.management import CommandError, call_command

from ontologies import nexus
from ontologies.models import NexusDefinition, Term
from tests.conftest import shared_path

PANET = "http://purl.org/pan-science/PaNET/"


def manifest_expectations() -> list[tuple[str, set[str]]]:
    """(definition, accepted PaNET ids) for every sample file that names both."""
    manifest = shared_path("nexus-samples/MANIFEST.tsv")
    pairs = []
    for row in csv.DictReader(manifest.open(encoding="utf-8"), delimiter="\t"):
        accepted = set(filter(None, row["techniques"].split("|")))
        for definition in filter(None, row["definitions"].split(",")):
            if accepted and definition != "NXentry":  # NXentry: the file misuses 'definition'
                pairs.append((definition, accepted))
    return pairs


def test_every_sample_definition_maps_to_an_accepted_technique():
    mapping = nexus.mapped_definitions()
    pairs = manifest_expectations()
    assert len(pairs) > 30
    for definition, accepted in pairs:
        if definition == "NXreflections":
            continue  # declared beside NXmx in the same file
        mapped = {iri.removeprefix(PANET) for iri, _ in mapping.get(definition, [])}
        assert mapped & accepted, f"{definition} maps to none of {accepted}"


@pytest.mark.django_db
def test_every_mapped_iri_exists_in_panet(panet):
    iris = set(Term.objects.values_list("iri", flat=True))
    for definition, entries in nexus.mapped_definitions().items():
        for iri, confidence in entries:
            assert iri in iris, f"{definition}: {iri}"
            assert 0 < confidence <= 1


@pytest.mark.django_db
def test_import_nxdl_records_required_groups_and_fields():
    directory = shared_path("nexus-definitions")
    call_command("import_nxdl", str(directory), verbosity=0)
    call_command("import_nxdl", str(directory), verbosity=0)  # idempotent
    assert NexusDefinition.objects.filter(category="application").count() >= 44
    mx = NexusDefinition.objects.get(name="NXmx")
    assert "NXentry/NXinstrument/NXdetector" in mx.required_groups
    assert not mx.contributed
    xeuler = NexusDefinition.objects.get(name="NXxeuler")
    assert xeuler.extends == "NXxbase"
    assert "NXentry/NXinstrument/NXmonochromator" in xeuler.required_groups  # inherited
    assert NexusDefinition.objects.get(name="NXxpcs").contributed
    with pytest.raises(CommandError, match="not a directory"):
        call_command("import_nxdl", "/no/such/dir")


def test_nxdl_snapshot_is_built_from_the_definitions_and_matches_the_shipped_one(tmp_path):
    output = tmp_path / "nxdl.json"
    call_command(
        "build_nxdl_snapshot", str(shared_path("nexus-definitions")), "--output", str(output)
    )
    assert output.read_text(encoding="utf-8") == nexus.NXDL_SNAPSHOT_PATH.read_text(
        encoding="utf-8"
    ), "ontologies/data/nxdl_requirements.json is stale: run manage.py build_nxdl_snapshot"


def test_nxdl_snapshot_keeps_facts_only():
    from ontologies.nxdl import read_nxdl_snapshot

    definitions = {d.name: d for d in read_nxdl_snapshot(nexus.NXDL_SNAPSHOT_PATH)}
    assert "NXreflections" in definitions  # a base class the mapping names
    assert definitions["NXreflections"].category == "base"
    assert "NXentry/NXinstrument/NXdetector" in definitions["NXmx"].required_groups
    assert all(not d.summary for d in definitions.values())  # no prose of the NXDL files


@pytest.mark.django_db
def test_fresh_install_lists_definitions_with_requirements_and_techniques(panet, client):
    assert panet["nexus_definitions"] >= 80
    body = client.get("/api/v1/nexus-definitions/?page_size=200").json()
    by_name = {item["name"]: item for item in body["results"]}
    assert body["count"] == NexusDefinition.objects.count() >= 80
    sas = by_name["NXsas"]
    assert "NXentry/NXinstrument/NXdetector" in sas["required_groups"]
    assert "/ENTRY/INSTRUMENT/DETECTOR/distance" in sas["required_fields"]
    assert PANET + "PaNET01188" in {term["iri"] for term in sas["terms"]}
    assert by_name["NXreflections"]["terms"], "mapped base classes are listed too"
    assert client.get("/api/v1/nexus-definitions/NXmx/").json()["category"] == "application"


@pytest.mark.django_db
def test_snapshot_never_overwrites_definitions_imported_from_files(panet):
    call_command("import_nxdl", str(shared_path("nexus-definitions")), verbosity=0)
    imported = NexusDefinition.objects.get(name="NXsas")
    assert imported.summary and imported.checksum and not imported.source.startswith("snapshot:")
    counts = nexus.load_nxdl_snapshot()
    assert counts["updated"] == 0 and counts["added"] == 0
    assert NexusDefinition.objects.get(name="NXsas").checksum == imported.checksum
