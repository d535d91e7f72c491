"""Findings of the API fuzzing (test_fuzz.py), each kept as a minimal request.

A strict xfail is a finding in another developer's code, reported to its owner: when it is
fixed the xfail turns into a failure, and the marker (and the entry in
``test_fuzz.KNOWN_SCHEMA_MISMATCHES``) must go.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from schemathesis.checks import not_a_server_error, response_schema_conformance

pytestmark = pytest.mark.django_db


@pytest.fixture
def openapi(registry, request):
    """The project's OpenAPI bound to the in-process WSGI application."""
    raw = Client().get("/api/schema/", {"format": "json"}).json()
    request.getfixturevalue("wsgi_keeps_connection")  # after the test client, which reconnects
    return schemathesis.from_dict(raw, app=get_wsgi_application(), base_url="/")


def conforms(openapi, method: str, path: str, **parts) -> None:
    """Send one request and check it is no 5xx and matches its schema."""
    case = openapi[path][method].make_case(**parts)
    response = case.call_wsgi()
    case.validate_response(response, checks=(not_a_server_error, response_schema_conformance))


def xfail(owner: str, cause: str):
    """A strict xfail naming the owner and the cause."""
    return pytest.mark.xfail(strict=True, reason=f"{owner}: {cause}")


@pytest.mark.parametrize("path", ["/api/v1/facilities/", "/api/v1/facilities/{slug}/"])
def test_facility_without_url_matches_schema(openapi, path):
    conforms(openapi, "GET", path, path_parameters={"slug": "esrf"} if "{" in path else None)


def test_anonymous_validate_plan_matches_schema(openapi):
    from tests.registry.factories import manifest

    conforms(
        openapi,
        "POST",
        "/api/v1/procedures/validate/",
        body=manifest(),
        media_type="application/json",
    )


def test_search_page_matches_schema(openapi):
    conforms(openapi, "GET", "/api/v1/search/")


def test_technique_tree_jsonld_matches_schema(openapi):
    conforms(openapi, "GET", "/api/v1/techniques/tree/", query={"format": "jsonld"})


@pytest.mark.parametrize("path", ["/panosc/Datasets", "/panosc/Documents"])
def test_panosc_lists_match_schema(openapi, path):
    conforms(openapi, "GET", path)


@pytest.mark.parametrize(
    ("method", "path", "parts"),
    [
        ("GET", "/api/v1/audit/", {"query": {"action": "\x00"}}),
        ("DELETE", "/api/v1/auth/tokens/{username}/", {"path_parameters": {"username": "%"}}),
        (
            "POST",
            "/api/v1/auth/token/",
            {"body": {"username": "", "password": ""}, "media_type": "application/json"},
        ),
    ],
)
def test_own_endpoints_answer_bad_input_in_shape(openapi, method, path, parts):
    conforms(openapi, method, path, **parts)


@pytest.mark.parametrize("path", ["/panosc/Datasets/{pid}", "/panosc/Documents/{pid}"])
def test_nul_character_in_a_panosc_pid_is_no_server_error(openapi, path):
    conforms(openapi, "GET", path, path_parameters={"pid": "\x00"})


def test_dataset_without_facility_matches_schema(openapi):
    from datasets.models import Dataset

    Dataset.objects.create(pid="10.5072/fuzz:no-facility", title="No facility")
    conforms(openapi, "GET", "/api/v1/datasets/")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/datasets/%00/",
        "/api/v1/procedures/a%00b/",
        "/api/v1/techniques/%00/",
        "/api/v1/facilities/%0A/",
        "/api/v1/publications/10.5072/x%00/",
        "/panosc/Datasets/10.5072%2Fx%00",
    ],
)
def test_control_character_in_a_lookup_is_not_found_in_the_error_shape(path):
    response = Client().get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_facility_url_null_or_empty_is_stored_empty(registry):
    from registry.api.serializers import FacilitySerializer
    from registry.models import Facility

    for value in (None, ""):
        serializer = FacilitySerializer(
            data={"slug": "nourl", "name": "No URL", "url": value}, partial=True
        )
        assert serializer.is_valid(), serializer.errors
        facility = serializer.save()
        assert Facility.objects.get(pk=facility.pk).url == ""
        assert FacilitySerializer(facility).data["url"] is None
        facility.delete()
