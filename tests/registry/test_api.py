"""Registry API: CRUD through manifests, filters, pagination links, errors in one shape."""

from urllib.parse import parse_qs, urlparse

import pytest

from registry.models import Procedure, ProcedureVersion
from registry.services import register_manifest
from tests.registry.factories import SANS, SAS, SAXS, changed, manifest, version_entry

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is an error of ``status`` in the API's one shape."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_curator_creates_procedure_from_manifest(api, terms, users):
    response = api(users["own_curator"]).post("/api/v1/procedures/", manifest(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["registration"]["procedure_action"] == "created"
    assert body["procedure"]["slug"] == "saxs-integration"
    assert body["procedure"]["status"] == "published"
    assert body["procedure"]["techniques"] == [
        {"iri": SAXS, "label": "small angle x-ray scattering"}
    ]
    version = body["procedure"]["versions"][0]
    assert version["code"]["commit_url"].endswith(
        "/commit/0123456789abcdef0123456789abcdef01234567"
    )
    assert Procedure.objects.get().owners.get() == users["own_curator"]


def test_posting_the_same_manifest_twice_is_idempotent(api, terms, users):
    client = api(users["own_curator"])
    client.post("/api/v1/procedures/", manifest(), format="json")
    response = client.post("/api/v1/procedures/", manifest(), format="json")
    assert response.status_code == 200
    assert response.json()["registration"]["changed"] is False
    assert ProcedureVersion.objects.count() == 1


def test_validate_endpoint_reports_every_error_with_pointer(api, terms, facilities):
    document = changed(manifest(), "versions/0/code/commit", "abc")
    document = changed(document, "procedure/slug", "Not A Slug")
    error = assert_error(
        api().post("/api/v1/procedures/validate/", document, format="json"), 400, "invalid_manifest"
    )
    pointers = {item["pointer"] for item in error["details"]["errors"]}
    assert {"/versions/0/code/commit", "/procedure/slug"} <= pointers
    assert Procedure.objects.count() == 0


def test_validate_endpoint_accepts_good_manifest_with_plan(api, terms, users):
    response = api(users["own_curator"]).post(
        "/api/v1/procedures/validate/", manifest(), format="json"
    )
    assert response.status_code == 200
    assert response.json()["valid"] is True
    assert response.json()["plan"]["procedure_action"] == "created"
    assert Procedure.objects.count() == 0


def test_manifest_schema_is_published(api):
    response = api().get("/api/v1/schemas/procedure-manifest.json")
    assert response.status_code == 200
    assert response.json()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "procedure" in response.json()["properties"]


def test_patch_updates_procedure_fields(api, terms, users):
    register_manifest(manifest())
    response = api(users["own_curator"]).patch(
        "/api/v1/procedures/saxs-integration/",
        {"procedure": {"summary": "Azimuthal integration of SAXS images into I(q)."}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Procedure.objects.get().summary == "Azimuthal integration of SAXS images into I(q)."


def test_published_version_is_immutable_through_api(api, terms, users):
    register_manifest(manifest())
    client = api(users["own_curator"])
    url = "/api/v1/procedures/saxs-integration/versions/1.0.0/"
    assert_error(
        client.patch(url, {"changelog": "rewritten"}, format="json"), 409, "immutable_version"
    )
    assert_error(client.delete(url), 409, "immutable_version")
    document = changed(manifest(), "versions/0/code/commit", "e" * 40)
    error = assert_error(
        client.put("/api/v1/procedures/saxs-integration/", document, format="json"), 400
    )
    assert error["details"]["errors"][0]["pointer"] == "/versions/0"
    assert ProcedureVersion.objects.get().code_commit != "e" * 40


def test_add_draft_version_edit_and_publish(api, terms, users):
    register_manifest(manifest())
    client = api(users["own_curator"])
    base = "/api/v1/procedures/saxs-integration/versions/"
    draft = version_entry("1.1.0", status="draft", container="ghcr.io/example/saxs:latest")
    response = client.post(base, draft, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "draft"
    error = assert_error(client.post(base + "1.1.0/publish/"), 400, "unpinned_container")
    assert "latest" in error["message"]
    pinned = "ghcr.io/example/saxs:1.1.0@sha256:" + "b" * 64
    assert client.patch(base + "1.1.0/", {"container": pinned}, format="json").status_code == 200
    response = client.post(base + "1.1.0/publish/")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    assert_error(client.post(base + "1.1.0/publish/"), 409, "illegal_transition")
    assert_error(client.post(base, draft, format="json"), 409, "duplicate_version")


def test_delete_draft_version_and_unpublished_procedure(api, terms, users):
    register_manifest(manifest(versions=[version_entry(status="draft")]))
    client = api(users["own_curator"])
    assert client.delete("/api/v1/procedures/saxs-integration/versions/1.0.0/").status_code == 204
    assert client.delete("/api/v1/procedures/saxs-integration/").status_code == 204
    assert Procedure.objects.count() == 0


def test_published_procedure_cannot_be_deleted_but_deprecated(api, terms, users):
    register_manifest(manifest())
    client = api(users["own_curator"])
    assert_error(client.delete("/api/v1/procedures/saxs-integration/"), 409, "published_procedure")
    response = client.post("/api/v1/procedures/saxs-integration/deprecate/")
    assert response.status_code == 200
    assert response.json()["status"] == "deprecated"


def test_technique_filter_includes_narrower_unless_exact(api, terms, facilities):
    register_manifest(manifest())
    register_manifest(manifest(slug="sans-reduction", techniques=[SANS], facilities=["ill"]))
    register_manifest(manifest(slug="sas-fit", techniques=[SAS]))
    client = api()

    def slugs(query):
        return sorted(
            p["slug"] for p in client.get(f"/api/v1/procedures/?{query}").json()["results"]
        )

    assert slugs(f"technique={SAS}") == ["sans-reduction", "sas-fit", "saxs-integration"]
    assert slugs(f"technique={SAS}&exact=true") == ["sas-fit"]
    assert slugs(f"technique={SAXS}") == ["saxs-integration"]
    assert slugs("facility=ill") == ["sans-reduction"]
    assert slugs("keyword=saxs") == ["sans-reduction", "sas-fit", "saxs-integration"]
    assert slugs("q=sans") == ["sans-reduction"]
    assert slugs("status=published") == ["sans-reduction", "sas-fit", "saxs-integration"]
    error = assert_error(client.get("/api/v1/procedures/?technique=http://nowhere.org/x"), 400)
    assert "nowhere" in error["message"]


def test_pagination_links_keep_every_filter(api, terms, facilities):
    for index in range(5):
        register_manifest(manifest(slug=f"saxs-{index}"))
    response = api().get(
        f"/api/v1/procedures/?technique={SAS}&facility=esrf&ordering=-slug&page_size=2"
    )
    body = response.json()
    assert body["count"] == 5
    assert len(body["results"]) == 2
    next_query = parse_qs(urlparse(body["next"]).query)
    assert next_query == {
        "technique": [SAS],
        "facility": ["esrf"],
        "ordering": ["-slug"],
        "page_size": ["2"],
        "page": ["2"],
    }
    second = api().get(body["next"]).json()
    assert parse_qs(urlparse(second["previous"]).query)["technique"] == [SAS]
    assert [p["slug"] for p in body["results"]] == ["saxs-4", "saxs-3"]


def test_versions_list_and_filters(api, terms, facilities):
    register_manifest(manifest(versions=[version_entry(), version_entry("1.1.0")]))
    body = api().get("/api/v1/versions/?procedure=saxs-integration&ordering=version").json()
    assert [v["version"] for v in body["results"]] == ["1.0.0", "1.1.0"]
    assert api().get(f"/api/v1/versions/?technique={SANS}").json()["count"] == 0


def test_resources_facilities_instruments(api, terms, users, facilities):
    register_manifest(manifest())
    body = api().get(f"/api/v1/resources/?kind=tutorial&technique={SAS}").json()
    assert [r["title"] for r in body["results"]] == ["SAXS basics"]
    assert body["results"][0]["procedures"] == ["saxs-integration"]
    created = api(users["own_curator"]).post(
        "/api/v1/resources/",
        {
            "kind": "simulation",
            "title": "SAXS simulator",
            "url": "https://example.org/sim",
            "techniques": [SAXS],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert_error(
        api(users["user"]).post("/api/v1/resources/", {"kind": "tutorial"}, format="json"), 403
    )
    assert api().get("/api/v1/facilities/?q=esrf").json()["results"][0]["slug"] == "esrf"
    assert_error(
        api(users["own_curator"]).post(
            "/api/v1/facilities/", {"slug": "x", "name": "X"}, format="json"
        ),
        403,
    )
    response = api(users["staff"]).post(
        "/api/v1/instruments/",
        {"facility": "esrf", "slug": "id02", "name": "ID02", "techniques": [SAXS]},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert api().get("/api/v1/instruments/?facility=esrf").json()["count"] == 1
    assert api().get(f"/api/v1/instruments/?technique={SAS}").json()["count"] == 1


@pytest.mark.parametrize(
    ("method", "url", "payload", "status", "code"),
    [
        ("get", "/api/v1/procedures/nope/", None, 404, "not_found"),
        ("delete", "/api/v1/schemas/procedure-manifest.json", None, 405, "method_not_allowed"),
        ("post", "/api/v1/procedures/validate/", "not json at all", 400, None),
        ("post", "/api/v1/procedures/", {"manifest_version": 1}, 401, "not_authenticated"),
    ],
)
def test_errors_have_one_shape(api, terms, method, url, payload, status, code):
    client = api()
    if isinstance(payload, str):
        response = client.generic(method.upper(), url, payload, content_type="application/json")
    else:
        response = getattr(client, method)(url, payload, format="json")
    assert_error(response, status, code)


def test_unsupported_media_type_is_415(api, users):
    response = api(users["own_curator"]).generic(
        "POST", "/api/v1/procedures/", "<xml/>", content_type="application/xml"
    )
    assert_error(response, 415, "unsupported_media_type")


def test_token_authentication(client, users, terms):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=users["own_curator"])
    response = client.post(
        "/api/v1/procedures/",
        manifest(),
        content_type="application/json",
        headers={"Authorization": f"Token {token.key}"},
    )
    assert response.status_code == 201, response.content
