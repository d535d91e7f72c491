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
