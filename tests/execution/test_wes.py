"""GA4GH WES 1.1: every response of every endpoint validated against the spec, read in place."""

import json

import pytest
import yaml
from jsonschema_path import SchemaPath
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIResponse
from openapi_core.testing import MockRequest
from rest_framework.test import APIClient

from execution import services
from execution.choices import RunState
from execution.models import Run
from tests.conftest import shared_path

ROOT = "/ga4gh/wes/v1"
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def wes_spec() -> OpenAPI:
    """The WES 1.1 spec, read from ../shared where it lies (its service-info $ref resolved there).

    Only ``servers`` is replaced: the spec's ``https://{defaultHost}/{basePath}/{apiVersion}``
    with ``basePath`` = ``ga4gh/wes`` cannot match, as openapi-core's server variables never
    span a ``/``. The equivalent ``/ga4gh/wes/v1`` is used; no schema is touched. YAML reads
    the unquoted status codes (``200:``) as integers; they become the strings JSON would give.
    """
    path = shared_path("reference/ga4gh/wes-1.1.openapi.yaml")
    document = yaml.safe_load(path.read_text())
    document["servers"] = [{"url": "/ga4gh/wes/v1"}]
    for operations in document["paths"].values():
        for operation in operations.values():
            operation["responses"] = {str(k): v for k, v in operation["responses"].items()}
    return OpenAPI(SchemaPath.from_dict(document, base_uri=path.resolve().as_uri()))


class WESClient:
    """An API client whose every response is validated against the WES spec."""

    def __init__(self, spec: OpenAPI, user=None):
        self.spec = spec
        self.client = APIClient()
        if user is not None:
            self.client.force_authenticate(user)

    def check(self, response):
        """Raise on any violation of the spec; return the response."""
        request = response.wsgi_request  # its body was read by the view: only the route counts
        self.spec.validate_response(
            MockRequest("http://testserver", request.method.lower(), request.path),
            DjangoOpenAPIResponse(response),
        )
        return response

    def get(self, path: str, **params):
        """GET a WES path."""
        return self.check(self.client.get(ROOT + path, params))

    def post(self, path: str, data=None, fmt: str = "json"):
        """POST to a WES path (JSON or multipart)."""
        return self.check(self.client.post(ROOT + path, data or {}, format=fmt))


@pytest.fixture
def wes(wes_spec, user) -> WESClient:
    """The WES client of ``user``."""
    return WESClient(wes_spec, user)


def run_request(**overrides) -> dict:
    """A valid WES run request for the tiny test version."""
    return {
        "workflow_url": "tiny@1.0.0",
        "workflow_type": "jupyter",
        "workflow_type_version": "4",
        "workflow_params": {"parameters": {"scale": 3}},
        **overrides,
    }


def assert_error(response, status: int) -> dict:
    """Both error shapes: the registry's and WES's."""
    body = response.json()
    assert response.status_code == status, body
    assert body["status_code"] == status and body["msg"] == body["error"]["message"]
    assert set(body["error"]) == {"code", "message", "details"}
    return body


def test_service_info(wes, version, user):
    services.create_run(version=version, owner=user)
    body = wes.get("/service-info").json()
    assert body["type"] == {"group": "org.ga4gh", "artifact": "wes", "version": "1.1.0"}
    assert body["workflow_type_versions"] == {"JUPYTER": {"workflow_type_version": ["4"]}}
    assert body["system_state_counts"]["QUEUED"] == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/service-info"),
        ("get", "/runs"),
        ("post", "/runs"),
        ("get", "/runs/0b9f8c1e-6d1c-4d8e-9a47-1f0e0c7a2b11"),
        ("get", "/runs/0b9f8c1e-6d1c-4d8e-9a47-1f0e0c7a2b11/status"),
        ("post", "/runs/0b9f8c1e-6d1c-4d8e-9a47-1f0e0c7a2b11/cancel"),
    ],
)
def test_anonymous_is_401_everywhere(wes_spec, method, path):
    response = getattr(WESClient(wes_spec), method)(path)
    assert_error(response, 401)


def test_json_run_completes_with_outputs_and_crate(
    wes, version, data_file, django_capture_on_commit_callbacks
):
    request = run_request(
        workflow_params={"dataset_path": str(data_file), "parameters": {"scale": 3}},
        tags={"project": "demo"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = wes.post("/runs", request)
    run_id = response.json()["run_id"]
    assert wes.get(f"/runs/{run_id}/status").json() == {"run_id": run_id, "state": "COMPLETE"}
    log = wes.get(f"/runs/{run_id}").json()
    assert log["state"] == "COMPLETE"
    assert log["request"]["workflow_url"] == "/api/v1/procedures/tiny/versions/1.0.0/"
    assert log["request"]["workflow_params"]["parameters"]["scale"] == 3
    assert log["request"]["tags"] == {"project": "demo"}
    assert log["run_log"]["exit_code"] == 0
    assert any("-> COMPLETE" in line for line in log["run_log"]["system_logs"])
    assert log["task_logs"][0]["name"] == "local job"
    assert set(log["outputs"]) == {"result.txt", "ro-crate"}
    assert len(log["outputs"]["result.txt"]["sha256"]) == 64
    crate = wes.client.get(log["outputs"]["ro-crate"])
    assert crate.status_code == 200


def test_multipart_run_with_json_text_fields(wes, version, data_file):
    form = {
        "workflow_url": "/api/v1/procedures/tiny/versions/1.0.0/",
        "workflow_type": "JUPYTER",
        "workflow_type_version": "4.5",
        "workflow_params": json.dumps({"dataset_path": str(data_file), "scale": 4}),
        "workflow_engine_parameters": json.dumps({"backend": "local"}),
        "tags": json.dumps({"k": "v"}),
    }
    run_id = wes.post("/runs", form, fmt="multipart").json()["run_id"]
    run = Run.objects.get(pk=run_id)
    assert run.parameters["scale"] == 4 and run.dataset_path == str(data_file)
    assert run.state == RunState.QUEUED and run.tags == {"k": "v"}


@pytest.mark.parametrize(
    "overrides",
    [
        {"workflow_url": "nope@1.0.0"},
        {"workflow_url": ""},
        {"workflow_type": "CWL"},
        {"workflow_type_version": "3"},
        {"workflow_params": "{not json"},
        {"workflow_params": [1, 2]},
        {"workflow_params": {"parameters": {"scale": -1}}},
        {"workflow_params": {"dataset": "no-such-pid"}},
        {"workflow_params": {"dataset_path": "/etc/passwd"}},
        {"workflow_engine_parameters": {"backend": "teleport"}},
        {"tags": "[]"},
    ],
)
def test_bad_run_requests_are_400_in_both_shapes(wes, version, overrides):
    assert_error(wes.post("/runs", run_request(**overrides)), 400)
    assert not Run.objects.exists()


def test_missing_fields_and_attachments_are_400(wes, version):
    assert_error(wes.post("/runs", {}), 400)
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in run_request().items()}
    form["workflow_attachment"] = open(__file__, "rb")  # noqa: SIM115 - closed by the client
    assert_error(wes.post("/runs", form, fmt="multipart"), 400)


def test_list_pages_with_tokens(wes, version, user, other_user):
    ids = [str(services.create_run(version=version, owner=user).pk) for _ in range(5)]
    services.create_run(version=version, owner=other_user)
    first = wes.get("/runs", page_size=2).json()
    assert len(first["runs"]) == 2 and first["next_page_token"]
    assert set(first["runs"][0]) == {"run_id", "state", "start_time", "tags"}
    seen = [r["run_id"] for r in first["runs"]]
    token = first["next_page_token"]
    while token:
        page = wes.get("/runs", page_size=2, page_token=token).json()
        seen += [r["run_id"] for r in page["runs"]]
        token = page["next_page_token"]
    assert sorted(seen) == sorted(ids)
    assert_error(wes.get("/runs", page_token="!!"), 400)
    assert_error(wes.get("/runs", page_token="LTE"), 400)  # "-1"


@pytest.mark.parametrize("size", ["0", "-3", "many", "100000"])
def test_bad_page_size_is_400(wes, size):
    assert_error(wes.get("/runs", page_size=size), 400)


def test_users_see_and_cancel_only_their_own_runs(wes, wes_spec, version, other_user, staff):
    theirs = services.create_run(version=version, owner=other_user)
    for path in (f"/runs/{theirs.pk}", f"/runs/{theirs.pk}/status"):
        assert_error(wes.get(path), 404)
    assert_error(wes.post(f"/runs/{theirs.pk}/cancel"), 404)
    assert wes.get("/runs").json()["runs"] == []
    theirs.refresh_from_db()
    assert theirs.state == RunState.QUEUED
    staff_wes = WESClient(wes_spec, staff)
    assert staff_wes.get(f"/runs/{theirs.pk}").json()["state"] == "QUEUED"
    assert staff_wes.post(f"/runs/{theirs.pk}/cancel").json() == {"run_id": str(theirs.pk)}
    theirs.refresh_from_db()
    assert theirs.state == RunState.CANCELED


def test_cancel_own_queued_run_then_again_changes_nothing(wes, version, user):
    run = services.create_run(version=version, owner=user)
    assert wes.post(f"/runs/{run.pk}/cancel").json() == {"run_id": str(run.pk)}
    assert wes.get(f"/runs/{run.pk}/status").json()["state"] == "CANCELED"
    assert wes.post(f"/runs/{run.pk}/cancel").status_code == 200
    log = wes.get(f"/runs/{run.pk}").json()
    assert log["state"] == "CANCELED" and "ro-crate" in log["outputs"]


@pytest.mark.parametrize(
    "run_id",
    ["not-a-uuid", "0b9f8c1e-6d1c-4d8e-9a47-1f0e0c7a2b11", "%00"],  # NUL: before the view
)
def test_unknown_run_is_404(wes, run_id):
    assert_error(wes.get(f"/runs/{run_id}"), 404)
    assert_error(wes.get(f"/runs/{run_id}/status"), 404)
    assert_error(wes.post(f"/runs/{run_id}/cancel"), 404)


def test_the_validator_rejects_a_broken_response(wes, version, user):
    from openapi_core.templating.responses.exceptions import ResponseNotFound
    from openapi_core.validation.response.exceptions import DataValidationError

    run = services.create_run(version=version, owner=user)
    response = wes.client.get(f"{ROOT}/runs/{run.pk}/status")
    response.content = json.dumps({"run_id": str(run.pk), "state": "HALF_DONE"}).encode()
    with pytest.raises(DataValidationError):
        wes.check(response)
    response.content = json.dumps({"state": "RUNNING"}).encode()  # run_id is required
    with pytest.raises(DataValidationError):
        wes.check(response)
    response.content = json.dumps({"msg": 5, "status_code": "x"}).encode()
    response.status_code = 404
    with pytest.raises(DataValidationError):
        wes.check(response)
    response.status_code = 418
    with pytest.raises(ResponseNotFound):
        wes.check(response)
