"""Findings of the API fuzzing (test_fuzz.py), each kept as a minimal request.

Every finding here has been fixed; each test sends the request schemathesis found and checks
the answer is no server error and matches the documented status, content type and schema.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def openapi(registry, request):
    """The project's OpenAPI bound to the in-process WSGI application."""
    raw = Client().get("/api/schema/", {"format": "json"}).json()
    request.getfixturevalue("wsgi_keeps_connection")  # after the test client, which reconnects
    return schemathesis.from_dict(raw, app=get_wsgi_application(), base_url="/")


CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


def conforms(openapi, method: str, path: str, headers=None, **parts):
    """Send one request and check it is no 5xx and its status, type and body are documented."""
    case = openapi[path][method].make_case(**parts)
    response = case.call_wsgi(headers=headers)
    case.validate_response(response, checks=CHECKS)
    return response


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


def test_deleting_a_dataset_a_publication_cites_is_a_conflict(registry, client_as):
    from datasets.models import Dataset
    from publications.models import Publication, PublishedResult
    from registry.models import ProcedureVersion

    dataset = Dataset.objects.create(
        pid="10.5072/fuzz:cited", title="Cited", owner=registry["own_curator"]
    )
    publication = Publication.objects.create(doi="10.5072/fuzz.cites", title="Cites it")
    PublishedResult.objects.create(
        publication=publication,
        label="Figure 1",
        version=ProcedureVersion.objects.filter(status="published").first(),
        dataset=dataset,
        output_name="profile.csv",
    )
    response = client_as(registry["own_curator"]).delete(f"/api/v1/datasets/{dataset.pid}/")
    assert response.status_code == 409
    assert response.json()["error"]["details"] == {"referenced_by": ["published result"]}
    assert Dataset.objects.filter(pk=dataset.pk).exists()


def test_manifest_schema_is_served_as_documented(openapi):
    response = conforms(openapi, "GET", "/api/v1/schemas/procedure-manifest.json")
    assert response.headers["Content-Type"] == "application/schema+json"


def test_search_page_zero_is_a_documented_not_found(openapi):
    response = conforms(openapi, "GET", "/api/v1/search/", query={"page": 0})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/techniques/", {"ancestor": "0", "format": "jsonld"}),
        ("/api/v1/techniques/lookup/", {"iri": "", "format": "jsonld"}),
    ],
)
def test_json_ld_errors_are_documented(openapi, path, query):
    response = conforms(openapi, "GET", path, query=query)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/ld+json")


def test_unknown_technique_detail_is_not_found(openapi):
    response = conforms(openapi, "GET", "/api/v1/techniques/{id}/", path_parameters={"id": "234"})
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_invalid_token_is_a_documented_401(openapi):
    response = conforms(
        openapi, "GET", "/api/v1/facilities/", headers={"Authorization": "Token not-a-token"}
    )
    assert response.status_code == 401
