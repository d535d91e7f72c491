"""Runs through the REST API on the local backend (eager Celery: the task runs in the request)."""

import io
import zipfile

import pytest

from execution.choices import RunState
from execution.models import Run
from registry.models import Procedure


def start(api, payload, capture):
    """POST a run and let its task run (on commit, eagerly)."""
    with capture(execute=True):
        return api.post("/api/v1/runs/", payload, format="json")


@pytest.mark.django_db
def test_run_completes_with_outputs_crate_and_popularity(
    api, version, data_file, django_capture_on_commit_callbacks
):
    response = start(
        api,
        {"version": "tiny@1.0.0", "dataset_path": str(data_file), "parameters": {"scale": 3}},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 201, response.json()
    run = Run.objects.get(pk=response.json()["id"])
    assert run.state == RunState.COMPLETE, (run.error, run.log)
    body = api.get(f"/api/v1/runs/{run.pk}/").json()
    assert [o["name"] for o in body["outputs"]] == ["result.txt"]
    assert [e["to_state"] for e in body["events"]] == [
        "QUEUED",
        "INITIALIZING",
        "RUNNING",
        "COMPLETE",
    ]
    assert body["parameters"] == {"scale": 3, **{}} | {"scale": 3}
    output = api.get(body["outputs"][0]["url"])
    assert b"scale=3" in b"".join(output.streaming_content)
    assert Procedure.objects.get(slug="tiny").successful_runs == 1
    crate = api.get(body["crate_url"])
    assert crate.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(crate.streaming_content)))
    assert "ro-crate-metadata.json" in archive.namelist()
    assert "outputs/result.txt" in archive.namelist()


@pytest.mark.django_db
def test_failing_notebook_is_executor_error_with_the_error(
    api, version, django_capture_on_commit_callbacks
):
    response = start(
        api,
        {"version": "tiny@1.0.0", "parameters": {"fail": True}},
        django_capture_on_commit_callbacks,
    )
    body = api.get(f"/api/v1/runs/{response.json()['id']}/").json()
    assert body["state"] == "EXECUTOR_ERROR"
    assert "the notebook failed on purpose" in body["error"]
    assert Procedure.objects.get(slug="tiny").successful_runs == 0


@pytest.mark.django_db
def test_invalid_parameters_give_400_with_every_schema_error(api, version):
    response = api.post(
        "/api/v1/runs/",
        {"version": "tiny@1.0.0", "parameters": {"scale": -1, "fail": "yes", "extra": 1}},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameters"
    assert len(error["details"]["parameters"]) == 3
    assert not Run.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        {"version": "nope@1.0.0"},
        {"version": "tiny@1.0.0", "backend": "teleport"},
        {"version": "tiny@1.0.0", "dataset_path": "/etc/passwd"},
        {"version": "tiny@1.0.0", "dataset": "no-such-pid"},
        {"version": "tiny@1.0.0", "parameters": [1, 2]},
        {},
    ],
)
def test_bad_requests_are_400_in_the_one_shape(api, version, payload):
    response = api.post("/api/v1/runs/", payload, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.django_db
def test_other_users_run_is_404_and_staff_see_it(api, version, other_user, staff):
    from rest_framework.test import APIClient

    from execution import services

    run = services.create_run(version=version, owner=other_user)
    assert api.get(f"/api/v1/runs/{run.pk}/").status_code == 404
    assert api.post(f"/api/v1/runs/{run.pk}/cancel/").status_code == 404
    assert api.get("/api/v1/runs/").json()["count"] == 0
    staff_client = APIClient()
    staff_client.force_authenticate(staff)
    assert staff_client.get(f"/api/v1/runs/{run.pk}/").status_code == 200
    assert APIClient().get("/api/v1/runs/").status_code in (401, 403)


@pytest.mark.django_db
def test_cancel_queued_run_then_cancel_again_is_409(api, version, user):
    from execution import services

    run = services.create_run(version=version, owner=user)  # not dispatched: no commit
    response = api.post(f"/api/v1/runs/{run.pk}/cancel/")
    assert response.json()["state"] == "CANCELED"
    again = api.post(f"/api/v1/runs/{run.pk}/cancel/")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "run_finished"


@pytest.mark.django_db
def test_list_filters(api, version, user):
    from execution import services

    services.create_run(version=version, owner=user)
    assert api.get("/api/v1/runs/?state=QUEUED&procedure=tiny&backend=local").json()["count"] == 1
    assert api.get("/api/v1/runs/?state=COMPLETE").json()["count"] == 0
    assert api.get("/api/v1/runs/?state=BOGUS").status_code == 400


@pytest.mark.django_db
def test_output_path_traversal_is_404(api, version, user):
    from execution import services

    run = services.create_run(version=version, owner=user)
    assert api.get(f"/api/v1/runs/{run.pk}/outputs/../../etc/passwd").status_code == 404
    assert api.get(f"/api/v1/runs/{run.pk}/outputs/%2e%2e/job.json").status_code == 404


@pytest.mark.django_db
def test_recorded_outputs_pointing_outside_the_output_folder_are_404(api, version, user, settings):
    """Outputs that are recorded and exist on disk, but outside outputs/: the resolve() check."""
    from execution import services
    from execution.models import RunOutput

    run = services.create_run(version=version, owner=user)
    outputs = settings.RUNS_DIR / str(run.pk) / "outputs"
    outputs.mkdir(parents=True)
    (outputs.parent / "job.json").write_text('{"secret": true}')
    (outputs / "passwd").symlink_to("/etc/passwd")
    (outputs / "fine.txt").write_text("an output")
    for name in ("../job.json", "passwd", "fine.txt"):
        RunOutput.objects.create(run=run, name=name, size=1, sha256="0" * 64)
    assert api.get(f"/api/v1/runs/{run.pk}/outputs/fine.txt").status_code == 200
    for name in ("../job.json", "%2e%2e/job.json", "passwd"):
        response = api.get(f"/api/v1/runs/{run.pk}/outputs/{name}")
        assert response.status_code == 404, name
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_crate_reruns_with_matching_checksums_and_fails_when_changed(
    api, version, data_file, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.management import CommandError, call_command

    response = start(
        api,
        {"version": "tiny@1.0.0", "dataset_path": str(data_file)},
        django_capture_on_commit_callbacks,
    )
    crate = api.get(f"/api/v1/runs/{response.json()['id']}/crate.zip")
    crate_file = tmp_path / "crate.zip"
    crate_file.write_bytes(b"".join(crate.streaming_content))
    out = io.StringIO()
    call_command("rerun", str(crate_file), stdout=out)
    assert "All outputs match." in out.getvalue()
    changed = tmp_path / "data" / "changed.dat"
    changed.write_bytes(b"other data")
    with pytest.raises(CommandError, match="differ"):
        call_command("rerun", str(crate_file), "--dataset-path", str(changed), stdout=io.StringIO())
