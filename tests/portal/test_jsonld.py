"""schema.org JSON-LD embedded in the procedure and dataset pages, parsed back from the HTML."""

import json
import re

import pytest

from registry.models import Procedure
from tests.portal.conftest import SAXS, SAXS_DATASET

pytestmark = pytest.mark.django_db

JSONLD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def embedded_jsonld(html: str) -> dict:
    """The one JSON-LD document embedded in ``html``."""
    found = JSONLD.findall(html)
    assert len(found) == 1, found
    return json.loads(found[0])


def test_procedure_page_embeds_a_software_application(client):
    html = client.get("/procedures/saxs-azimuthal-integration/").content.decode()
    document = embedded_jsonld(html)
    procedure = Procedure.objects.get(slug="saxs-azimuthal-integration")
    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "SoftwareApplication"
    assert document["identifier"] == procedure.slug
    assert document["name"] == procedure.name
    assert document["license"] == f"https://spdx.org/licenses/{procedure.license}"
    published = procedure.versions.filter(status="published").order_by("-published_at").first()
    assert document["softwareVersion"] == published.version
    assert document["codeRepository"] == published.code_repository
    assert SAXS in [term["@id"] for term in document["about"]]
    assert document["url"].startswith("http://testserver/")


def test_dataset_page_embeds_a_dataset_with_panet_techniques(client):
    html = client.get(f"/datasets/{SAXS_DATASET}/").content.decode()
    document = embedded_jsonld(html)
    assert document["@type"] == "Dataset"
    assert document["identifier"] == SAXS_DATASET
    assert document["name"]
    techniques = document["measurementTechnique"]
    assert techniques and all(t["@type"] == "DefinedTerm" for t in techniques)
    assert all(t["@id"].startswith("http://purl.org/pan-science/PaNET/PaNET") for t in techniques)


def test_markup_in_names_cannot_end_the_script_element(client):
    procedure = Procedure.objects.get(slug="saxs-azimuthal-integration")
    procedure.name = "SAXS </script><script>alert(1)</script> & <b>more</b>"
    procedure.save(update_fields=["name"])
    html = client.get("/procedures/saxs-azimuthal-integration/").content.decode()
    assert "</script><script>alert(1)" not in html
    raw = JSONLD.findall(html)[0]
    assert "<" not in raw and ">" not in raw and "&" not in raw
    assert embedded_jsonld(html)["name"] == procedure.name
