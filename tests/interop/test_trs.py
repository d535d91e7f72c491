"""GA4GH TRS 2.1: every endpoint's responses validated against the spec, read in place."""

import hashlib
import json

import pytest
import yaml
from jsonschema_path import SchemaPath
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse

from tests.conftest import shared_path
from tests.interop.conftest import DIGEST, NOTEBOOK

EXTENSION_TYPES = {
    "DescriptorType": ["JUPYTER"],
    "DescriptorTypeWithPlain": ["JUPYTER", "PLAIN_JUPYTER"],
}
ROOT = "/ga4gh/trs/v2"


@pytest.fixture(scope="module")
def trs_spec() -> OpenAPI:
    """The TRS 2.1.0 spec with JUPYTER (and PLAIN_JUPYTER) added to the descriptor type enums.

    Nothing else is relaxed."""
    path = shared_path("reference/ga4gh/trs-2.1.0.openapi.yaml")
    document = yaml.safe_load(path.read_text())
    for name, extra in EXTENSION_TYPES.items():
        document["components"]["schemas"][name]["enum"].extend(extra)
    return OpenAPI(SchemaPath.from_dict(document, base_uri=path.resolve().as_uri()))


@pytest.fixture
def get(client, trs_spec):
    """GET a TRS path and validate the response against the spec (raises on any violation)."""

    def fetch(path: str, **params):
        response = client.get(ROOT + path, params)
        trs_spec.validate_response(
            DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(response)
        )
        return response

    return fetch


def test_service_info(registry_data, get):
    body = get("/service-info").json()
    assert body["type"] == {"group": "org.ga4gh", "artifact": "trs", "version": "2.1.0"}


def test_tool_classes(registry_data, get):
    ids = {c["id"] for c in get("/toolClasses").json()}
    assert ids == {"Notebook", "Workflow", "CommandLineTool"}


def test_tools_lists_only_public_versions(registry_data, get):
    tools = get("/tools").json()
    assert [t["id"] for t in tools] == ["saxs", "tomo-reconstruction"]
    saxs = tools[0]
    assert [v["id"] for v in saxs["versions"]] == ["1.1.0", "1.0.0"]
    assert saxs["organization"] == "ESRF"
    assert saxs["toolclass"]["id"] == "Notebook"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"id": "saxs"}, ["saxs"]),
        ({"name": "tomographic"}, ["tomo-reconstruction"]),
        ({"toolClass": "CommandLineTool"}, ["tomo-reconstruction"]),
        ({"descriptorType": "JUPYTER"}, ["saxs"]),
        ({"descriptorType": "CWL"}, []),
        ({"organization": "diamond"}, ["tomo-reconstruction"]),
        ({"organization": "ESRF"}, ["saxs"]),
    ],
)
def test_tools_filters(registry_data, get, params, expected):
    assert [t["id"] for t in get("/tools", **params).json()] == expected


def test_tools_paging_headers(registry_data, get):
    response = get("/tools", limit=1)
    assert [t["id"] for t in response.json()] == ["saxs"]
    assert response["current_offset"] == "0" and response["current_limit"] == "1"
    assert "offset=1" in response["next_page"] and "offset=1" in response["last_page"]
    assert "offset=0" in response["self_link"]
    last = get("/tools", limit=1, offset=1)
    assert [t["id"] for t in last.json()] == ["tomo-reconstruction"]
    assert not last.has_header("next_page")
    assert get("/tools", offset=10).json() == []


def test_bad_paging_is_a_trs_error(registry_data, client):
    response = client.get(ROOT + "/tools", {"limit": "many"})
    assert response.status_code == 400
    assert response.json() == {"code": 400, "message": "limit must be a non-negative integer."}


def test_tool_and_versions(registry_data, get):
    assert get("/tools/saxs").json()["id"] == "saxs"
    versions = get("/tools/saxs/versions").json()
    assert [v["id"] for v in versions] == ["1.1.0", "1.0.0"]
    version = get("/tools/saxs/versions/1.1.0").json()
    assert version["descriptor_type"] == ["JUPYTER"]
    assert version["images"] == [
        {
            "registry_host": "ghcr.io",
            "image_name": f"ghcr.io/analysis-registry-demo/saxs:1.1.0@sha256:{DIGEST}",
            "image_type": "Docker",
            "checksum": [{"checksum": DIGEST, "type": "sha-256"}],
        }
    ]
    assert version["author"] == ["Alice Curie"]


@pytest.mark.parametrize(
    "path",
    [
        "/tools/nothing",
        "/tools/saxs/versions/2.0.0-dev",
        "/tools/saxs/versions/9.9.9",
        "/tools/saxs/versions/1.1.0/containerfile",
        "/tools/saxs/versions/1.1.0/CWL/descriptor",
        "/tools/tomo-reconstruction/versions/0.1.0/JUPYTER/descriptor",
    ],
)
def test_not_found_in_trs_error_shape(registry_data, get, path):
    response = get(path)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == 404 and body["message"]


def test_drafts_are_hidden_from_everyone_anonymous(reference_data, get):
    from registry.services import register_manifest
    from tests.interop.conftest import saxs_manifest

    document = saxs_manifest()
    document["versions"] = [document["versions"][2]]
    register_manifest(document)
    assert get("/tools").json() == []


def test_descriptor_is_the_notebook(registry_data, get):
    expected = json.dumps(NOTEBOOK)
    wrapper = get("/tools/saxs/versions/1.1.0/JUPYTER/descriptor").json()
    assert wrapper["content"] == expected
    sha = hashlib.sha256(expected.encode()).hexdigest()
    assert wrapper["checksum"] == [{"checksum": sha, "type": "sha-256"}]
    assert wrapper["url"].startswith("https://raw.githubusercontent.com/")
    plain = get("/tools/saxs/versions/1.1.0/PLAIN_JUPYTER/descriptor")
    assert plain["Content-Type"].startswith("text/plain")
    assert plain.content.decode() == expected
    beside = get("/tools/saxs/versions/1.1.0/JUPYTER/descriptor/procedure.yaml").json()
    assert beside["content"] == "demo: true\n"


def test_descriptor_without_working_copy_gives_the_url(registry_data, get, settings):
    settings.CODE_MIRRORS = {}
    wrapper = get("/tools/saxs/versions/1.1.0/JUPYTER/descriptor").json()
    assert "content" not in wrapper and "/saxs/analysis.ipynb" in wrapper["url"]
    assert get("/tools/saxs/versions/1.1.0/PLAIN_JUPYTER/descriptor").status_code == 404
    assert get("/tools/saxs/versions/1.1.0/JUPYTER/files").json() == []


def test_files_and_tests(registry_data, get):
    files = get("/tools/saxs/versions/1.1.0/JUPYTER/files").json()
    assert [(f["path"], f["file_type"]) for f in files] == [
        ("analysis.ipynb", "PRIMARY_DESCRIPTOR"),
        ("procedure.yaml", "OTHER"),
    ]
    assert get("/tools/saxs/versions/1.1.0/JUPYTER/tests").json() == []


def test_containerfile_when_present(registry_data, get, code_mirror):
    (code_mirror / "Dockerfile").write_text("FROM python:3.12\n")
    assert get("/tools/saxs/versions/1.1.0").json()["containerfile"] is True
    body = get("/tools/saxs/versions/1.1.0/containerfile").json()
    assert body[0]["content"] == "FROM python:3.12\n"


def test_relative_path_cannot_escape(registry_data, client, code_mirror):
    (code_mirror.parent.parent / "secret.txt").write_text("no")
    path = ROOT + "/tools/saxs/versions/1.1.0/PLAIN_JUPYTER/descriptor/../../secret.txt"
    assert client.get(path).status_code == 404


def test_the_validator_catches_violations(registry_data, client, trs_spec):
    """Guard: a response that breaks the spec is reported (so the checks above mean something)."""
    from django.http import JsonResponse
    from openapi_core.exceptions import OpenAPIError

    response = client.get(ROOT + "/tools/saxs")
    broken = JsonResponse({"id": "saxs", "versions": [{"id": 1}]})
    with pytest.raises(OpenAPIError):
        trs_spec.validate_response(
            DjangoOpenAPIRequest(response.wsgi_request), DjangoOpenAPIResponse(broken)
        )
