"""The techniques and nexus-definitions API, on the shipped PaNET snapshot."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.conftest import shared_path

PANET = "http://purl.org/pan-science/PaNET/"
SAS, SAXS = PANET + "PaNET01124", PANET + "PaNET01188"


@pytest.fixture
def client(panet):
    """An anonymous API client over a database with PaNET loaded."""
    return APIClient()


def test_search_matches_synonyms_case_insensitively(client):
    body = client.get("/api/v1/techniques/", {"q": "saxs"}).json()
    assert SAXS in {term["iri"] for term in body["results"]}
    assert body["results"][0]["counts"] == {"procedures": 0, "resources": 0, "datasets": 0}
    labels = {
        t["label"] for t in client.get("/api/v1/techniques/", {"q": "XAFS"}).json()["results"]
    }
    assert "x-ray absorption fine structure" in labels  # found through its synonym


def test_ancestor_filter_returns_the_subtree(client):
    body = client.get("/api/v1/techniques/", {"ancestor": SAS, "page_size": 200}).json()
    iris = {term["iri"] for term in body["results"]}
    assert {SAS, SAXS, PANET + "PaNET01189"} <= iris
    assert PANET + "PaNET01196" not in iris
    error = client.get("/api/v1/techniques/", {"ancestor": "PaNET99999"})
    assert error.status_code == 400
    assert error.json()["error"]["code"] == "unknown_technique"


def test_detail_by_iri_has_parents_children_and_path(client):
    body = client.get("/api/v1/techniques/lookup/", {"iri": SAXS}).json()
    assert body["label"] == "small angle x-ray scattering"
    assert SAS in {parent["iri"] for parent in body["parents"]}
    assert body["path_to_root"][0]["iri"] == SAXS
    assert body["path_to_root"][-1]["label"] == "photon and neutron technique"
    assert body["nexus_definitions"]["NXsas"] > 0
    by_pk = client.get(f"/api/v1/techniques/{body['id']}/").json()
    assert by_pk["iri"] == SAXS
    assert client.get("/api/v1/techniques/PaNET01188/").json()["id"] == body["id"]
    assert client.get("/api/v1/techniques/lookup/").status_code == 400


def test_tree_below_a_root_with_depth(client):
    tree = client.get("/api/v1/techniques/tree/", {"root": SAS, "depth": 2}).json()
    assert [node["iri"] for node in tree] == [SAS]
    assert SAXS in {child["iri"] for child in tree[0]["children"]}
    assert all("children" not in child for child in tree[0]["children"])
    assert client.get("/api/v1/techniques/tree/", {"depth": "zero"}).status_code == 400


def test_jsonld_on_request(client):
    response = client.get(
        f"/api/v1/techniques/{SAXS.rsplit('/', 1)[1]}/", HTTP_ACCEPT="application/ld+json"
    )
    assert response["Content-Type"].startswith("application/ld+json")
    body = response.json()
    assert body["@context"]["label"] == "skos:prefLabel"
    assert body["iri"] == SAXS and body["type"] == "skos:Concept"


def test_nexus_definitions_list_mapped_terms_and_requirements(client):
    call_command("import_nxdl", str(shared_path("nexus-definitions")), verbosity=0)
    body = client.get("/api/v1/nexus-definitions/", {"q": "NXsas"}).json()
    assert body["count"] == 2  # NXsas, NXsastof
    sas = client.get("/api/v1/nexus-definitions/NXsas/").json()
    assert SAS in {term["iri"] for term in sas["terms"]}
    assert "NXentry/NXinstrument/NXdetector" in sas["required_groups"]
    assert "/ENTRY/INSTRUMENT/DETECTOR/data" in sas["required_fields"]
    mapped = client.get("/api/v1/nexus-definitions/", {"technique": SAS, "page_size": 100}).json()
    assert {"NXsas", "NXcanSAS", "NXsastof"} <= {d["name"] for d in mapped["results"]}


def test_schema_generates(client):
    assert client.get("/api/schema/").status_code == 200
