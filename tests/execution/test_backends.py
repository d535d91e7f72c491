"""Every backend against the real thing: JupyterHub, Slurm (slurmrestd), BinderHub/VISA links.

The runs are driven in the test process with :func:`execution.services.drive` and
:func:`~execution.services.step` (the same code the Celery task runs); cancel is tested on
every backend (the local one in test_worker.py, with a real worker).
"""

import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from execution import services
from execution.backends.jupyterhub import hub_user, server_name
from execution.choices import RunState
from execution.models import Run
from execution.wes.documents import run_outputs

pytestmark = pytest.mark.django_db
ENDED = {RunState.COMPLETE, RunState.EXECUTOR_ERROR, RunState.SYSTEM_ERROR, RunState.CANCELED}


def step_until(run: Run, states: set, timeout: float = 60) -> Run:
    """Step ``run`` (poll its backend) until it reaches one of ``states``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        services.guarded_step(run)
        run.refresh_from_db()
        if run.state in states:
            return run
        time.sleep(0.3)
    raise AssertionError(f"run stayed {run.state}: {run.error}\n{run.log}")


# JupyterHub ------------------------------------------------------------------------------


def hub_servers(settings, user: str) -> dict:
    """The named servers of a Hub user, straight from the Hub API."""
    response = requests.get(
        f"{settings.JUPYTERHUB_API_URL}/users/{user}",
        headers={"Authorization": f"token {settings.JUPYTERHUB_API_TOKEN}"},
        timeout=10,
    )
    return response.json().get("servers") or {}


def wait_server_gone(settings, user: str, server: str, timeout: float = 20) -> None:
    """Wait until the Hub no longer lists ``server``."""
    deadline = time.monotonic() + timeout
    while server in hub_servers(settings, user):
        assert time.monotonic() < deadline, f"{server} still listed"
        time.sleep(0.3)


@pytest.mark.jupyterhub
def test_jupyterhub_opens_a_named_server_with_user_options_and_cancel_stops_it(
    jupyterhub_settings, version, user, data_file
):
    settings = jupyterhub_settings
    run = services.create_run(
        version=version, owner=user, backend="jupyterhub", dataset_path=str(data_file)
    )
    assert services.drive(run.pk, deadline_seconds=60) == RunState.RUNNING
    run.refresh_from_db()
    name, server = hub_user(run), server_name(run)
    assert run.external_id == f"{name}/{server}"
    assert run.external_url == f"{settings.JUPYTERHUB_URL}/user/{name}/{server}/"
    assert run_outputs(run, str)["url"] == run.external_url
    info = hub_servers(settings, name)[server]
    assert info["ready"] is True
    assert info["user_options"] == {
        "image": version.container_image,
        "repository": version.code_repository,
        "commit": version.code_commit,
        "entry_point": version.entry_point,
        "dataset_path": str(data_file),
    }
    services.cancel_run(run)
    run.refresh_from_db()
    assert run.state == RunState.CANCELED
    wait_server_gone(settings, name, server)


@pytest.mark.jupyterhub
def test_jupyterhub_cancel_without_a_saved_id_stops_the_server_by_name(
    jupyterhub_settings, version, user
):
    settings = jupyterhub_settings
    run = services.create_run(version=version, owner=user, backend="jupyterhub")
    assert services.drive(run.pk, deadline_seconds=60) == RunState.RUNNING
    name, server = hub_user(run), server_name(run)
    assert server in hub_servers(settings, name)
    # the worker died between starting the server and saving its id
    Run.objects.filter(pk=run.pk).update(external_id="", state=RunState.CANCELING)
    run.refresh_from_db()
    services.stop_at_backend(run)
    run.refresh_from_db()
    assert run.state == RunState.CANCELED
    wait_server_gone(settings, name, server)


@pytest.mark.jupyterhub
def test_jupyterhub_server_stopped_by_the_user_completes_the_run(
    jupyterhub_settings, version, user
):
    settings = jupyterhub_settings
    run = services.create_run(version=version, owner=user, backend="jupyterhub")
    services.drive(run.pk, deadline_seconds=60)
    run.refresh_from_db()
    name, server = run.external_id.split("/")
    requests.delete(
        f"{settings.JUPYTERHUB_API_URL}/users/{name}/servers/{server}",
        headers={"Authorization": f"token {settings.JUPYTERHUB_API_TOKEN}"},
        json={"remove": True},
        timeout=10,
    )
    wait_server_gone(settings, name, server)
    assert services.refresh(run).state == RunState.COMPLETE


@pytest.mark.jupyterhub
def test_jupyterhub_bad_token_is_a_system_error_that_says_so(jupyterhub_settings, version, user):
    jupyterhub_settings.JUPYTERHUB_API_TOKEN = "not-the-token"
    run = services.create_run(version=version, owner=user, backend="jupyterhub")
    assert services.drive(run.pk, deadline_seconds=30) == RunState.SYSTEM_ERROR
    run.refresh_from_db()
    assert "refused the service token" in run.error


# Slurm -------------------------------------------------------------------------------------


def slurm_job_state(settings, job_id: str) -> str:
    """``jobs[0].job_state`` from slurmrestd."""
    response = requests.get(
        f"{settings.SLURMRESTD_URL}/slurm/v0.0.38/job/{job_id}",
        headers={
            "X-SLURM-USER-NAME": settings.SLURM_JWT_USER,
            "X-SLURM-USER-TOKEN": settings.SLURM_JWT_TOKEN,
        },
        timeout=10,
    )
    return response.json()["jobs"][0]["job_state"]


@pytest.mark.slurm
def test_slurm_job_runs_the_notebook_and_outputs_are_collected(
    slurm_settings, version, user, data_file
):
    run = services.create_run(
        version=version,
        owner=user,
        backend="slurm",
        dataset_path=str(data_file),
        parameters={"scale": 7},
    )
    assert services.drive(run.pk, deadline_seconds=120) == RunState.COMPLETE
    run.refresh_from_db()
    assert run.exit_code == 0 and run.submissions == 1
    assert slurm_job_state(slurm_settings, run.external_id) == "COMPLETED"
    output = run.outputs.get()
    assert output.name == "result.txt" and len(output.sha256) == 64
    path = slurm_settings.RUNS_DIR / str(run.pk) / "outputs" / "result.txt"
    assert "scale=7" in path.read_text()
    assert (slurm_settings.RUNS_DIR / str(run.pk) / "notebook.ipynb").exists()


@pytest.mark.slurm
def test_slurm_failing_notebook_is_an_executor_error(slurm_settings, version, user):
    run = services.create_run(
        version=version, owner=user, backend="slurm", parameters={"fail": True}
    )
    assert services.drive(run.pk, deadline_seconds=120) == RunState.EXECUTOR_ERROR
    run.refresh_from_db()
    assert "the notebook failed on purpose" in run.error


@pytest.mark.slurm
def test_slurm_cancel_deletes_the_job(slurm_settings, version, user):
    run = services.create_run(
        version=version, owner=user, backend="slurm", parameters={"sleep_seconds": 60}
    )
    step_until(run, {RunState.RUNNING} | ENDED)
    assert run.state == RunState.RUNNING, run.error
    services.cancel_run(run)
    run.refresh_from_db()
    assert run.state == RunState.CANCELED
    deadline = time.monotonic() + 20
    while slurm_job_state(slurm_settings, run.external_id) != "CANCELLED":
        assert time.monotonic() < deadline
        time.sleep(0.3)


@pytest.mark.slurm
def test_slurm_cancel_without_a_saved_id_finds_the_job_by_name(slurm_settings, version, user):
    run = services.create_run(
        version=version, owner=user, backend="slurm", parameters={"sleep_seconds": 60}
    )
    step_until(run, {RunState.RUNNING} | ENDED)
    job_id = run.external_id
    # the worker died between submitting the job and saving its id
    Run.objects.filter(pk=run.pk).update(external_id="", state=RunState.CANCELING)
    run.refresh_from_db()
    services.stop_at_backend(run)
    run.refresh_from_db()
    assert run.state == RunState.CANCELED
    deadline = time.monotonic() + 20
    while slurm_job_state(slurm_settings, job_id) != "CANCELLED":
        assert time.monotonic() < deadline
        time.sleep(0.3)


@pytest.mark.slurm
def test_slurm_bad_token_is_a_system_error_that_says_so(slurm_settings, version, user):
    slurm_settings.SLURM_JWT_TOKEN = "not-a-token"
    run = services.create_run(version=version, owner=user, backend="slurm")
    assert services.drive(run.pk, deadline_seconds=30) == RunState.SYSTEM_ERROR
    run.refresh_from_db()
    assert "refused the JWT" in run.error and "SLURM_JWT_TOKEN" in run.error


@pytest.mark.slurm
def test_slurm_unknown_job_is_lost(slurm_settings, version, user):
    run = services.create_run(version=version, owner=user, backend="slurm")
    Run.objects.filter(pk=run.pk).update(state=RunState.RUNNING, external_id="99999999")
    assert services.drive(run.pk, deadline_seconds=30) == RunState.SYSTEM_ERROR
    run.refresh_from_db()
    assert "The job was lost" in run.error


@pytest.mark.slurm
def test_slurm_cancel_of_an_unknown_job_is_canceled(slurm_settings, version, user):
    run = services.create_run(version=version, owner=user, backend="slurm")
    Run.objects.filter(pk=run.pk).update(state=RunState.RUNNING, external_id="99999999")
    run.refresh_from_db()
    services.cancel_run(run)
    run.refresh_from_db()
    assert run.state == RunState.CANCELED


# Link-outs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "host", "expected"),
    [
        ("binder", "https://mybinder.org", "/v2/git/"),
        ("visa", "https://visa.example.org", "/instances/new"),
    ],
)
def test_link_out_is_complete_at_once_with_the_url_as_output(
    settings, version, user, data_file, backend, host, expected
):
    run = services.create_run(
        version=version, owner=user, backend=backend, dataset_path=str(data_file)
    )
    assert services.drive(run.pk, deadline_seconds=10) == RunState.COMPLETE
    run.refresh_from_db()
    assert run.external_url.startswith(host) and expected in run.external_url
    assert run_outputs(run, str)["url"] == run.external_url
    assert version.code_commit in run.external_url or backend == "visa"
    if backend == "visa":
        query = parse_qs(urlparse(run.external_url).query)
        assert query["commit"] == [version.code_commit]
        assert query["dataset"] == [str(data_file)]


def test_binder_url_for_a_github_repository(settings, version, user):
    type(version).objects.filter(pk=version.pk).update(
        code_repository="https://github.com/analysis-registry-demo/procedures.git"
    )  # published versions are immutable through save(); this is test set-up
    version.refresh_from_db()
    run = services.create_run(version=version, owner=user, backend="binder")
    services.drive(run.pk, deadline_seconds=10)
    run.refresh_from_db()
    assert run.external_url == (
        "https://mybinder.org/v2/gh/analysis-registry-demo/procedures/"
        f"{version.code_commit}?labpath=tiny%2Fanalysis.ipynb"
    )


@pytest.mark.parametrize("backend", ["binder", "visa"])
def test_link_out_cancel(version, user, backend):
    run = services.create_run(version=version, owner=user, backend=backend)
    services.cancel_run(run)  # queued: canceled before the link is built
    assert run.state == RunState.CANCELED and not run.external_url
    started = services.create_run(version=version, owner=user, backend=backend)
    Run.objects.filter(pk=started.pk).update(
        state=RunState.RUNNING, external_id=f"{backend}:{started.pk}"
    )
    started.refresh_from_db()
    services.cancel_run(started)  # nothing to stop at a link-out: canceled at once
    started.refresh_from_db()
    assert started.state == RunState.CANCELED


@pytest.mark.parametrize(
    ("slurm_state", "wes_state"),
    [
        ("PENDING", RunState.INITIALIZING),
        ("RUNNING", RunState.RUNNING),
        ("COMPLETED", RunState.COMPLETE),
        ("FAILED", RunState.EXECUTOR_ERROR),
        ("CANCELLED", RunState.CANCELED),
        ("TIMEOUT", RunState.EXECUTOR_ERROR),
        ("NODE_FAIL", RunState.SYSTEM_ERROR),
    ],
)
def test_slurm_states_map_to_wes(slurm_state, wes_state):
    from execution.backends.slurm import SLURM_STATES

    assert SLURM_STATES[slurm_state] == wes_state


# A worker that dies between starting a job and recording its id ------------------------------


def started_but_not_recorded(run: Run, backend: str) -> str:
    """Start the job as a worker would, then 'die' before its id is saved."""
    from execution.backends import get_backend

    Run.objects.filter(pk=run.pk).update(state=RunState.INITIALIZING, submissions=1)
    run.refresh_from_db()
    return get_backend(backend).submit(run).external_id


def test_local_job_started_by_a_dead_worker_is_adopted_not_duplicated(version, user):
    run = services.create_run(version=version, owner=user, parameters={"sleep_seconds": 1})
    job_id = started_but_not_recorded(run, "local")
    assert services.drive(run.pk, deadline_seconds=120) == RunState.COMPLETE
    run.refresh_from_db()
    assert run.external_id == job_id and run.submissions == 1
    assert "adopted job" in run.log or run.outputs.count() == 1


@pytest.mark.slurm
def test_slurm_job_started_by_a_dead_worker_is_adopted_not_duplicated(
    slurm_settings, version, user
):
    run = services.create_run(version=version, owner=user, backend="slurm")
    job_id = started_but_not_recorded(run, "slurm")
    assert services.drive(run.pk, deadline_seconds=120) == RunState.COMPLETE
    run.refresh_from_db()
    assert run.external_id == job_id and run.submissions == 1
