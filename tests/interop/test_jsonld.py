"""schema.org JSON-LD of procedures and datasets."""

import json

from registry.interop.jsonld import dataset_jsonld, procedure_jsonld
from registry.models import Procedure
from tests.interop.conftest import SAXS


def test_procedure_jsonld(registry_data, rf):
    document = procedure_jsonld(Procedure.objects.get(slug="saxs"), rf.get("/"))
    assert document["@type"] == "SoftwareApplication"
    assert document["url"] == "http://testserver/api/v1/procedures/saxs/"
    assert document["license"] == "https://spdx.org/licenses/MIT"
    assert document["about"][0]["@id"] == SAXS and document["about"][0]["@type"] == "DefinedTerm"
    assert document["softwareVersion"] == "1.1.0"
    assert document["author"] == [{"@type": "Person", "name": "Alice Curie"}]
    json.dumps(document)


def test_dataset_jsonld():
    document = dataset_jsonld(
        {
            "pid": "10.5072/ds-1",
            "title": "Silver behenate",
            "creationDate": "2024-05-01",
            "techniques": [{"pid": SAXS, "name": "small angle x-ray scattering"}],
            "instrument": {"name": "ID02"},
        }
    )
    assert document["@type"] == "Dataset" and document["identifier"] == "10.5072/ds-1"
    assert document["measurementTechnique"][0]["termCode"] == "PaNET01188"
    assert document["dateCreated"] == "2024-05-01"
