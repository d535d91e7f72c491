"""A real Celery worker (subprocess) on a real Redis runs the runs; a killed worker loses none."""

import time
from pathlib import Path

import pytest

from execution import services
from execution.backends.local import child_pids
from execution.choices import RunState
from execution.models import RunEvent
from tests.execution.conftest import wait_for_state

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_worker_runs_a_run_to_complete(start_worker, version, user, data_file):
    start_worker()
    run = services.create_run(
        version=version, owner=user, dataset_path=str(data_file), parameters={"scale": 5}
    )
    wait_for_state(run, {RunState.COMPLETE, RunState.EXECUTOR_ERROR, RunState.SYSTEM_ERROR})
    assert run.state == RunState.COMPLETE, (run.error, run.log)
    assert list(run.outputs.values_list("name", flat=True)) == ["result.txt"]
    assert run.submissions == 1


def test_killed_worker_run_is_redelivered_and_completes_once(start_worker, version, user):
    first = start_worker()
    run = services.create_run(version=version, owner=user, parameters={"sleep_seconds": 8})
    wait_for_state(run, {RunState.RUNNING})
    job_pid = int(run.external_id)
    first.kill()
    time.sleep(5)  # past the visibility timeout (4 s) and the lease (3 s)
    run.refresh_from_db()
    assert run.state == RunState.RUNNING  # nobody watches it, but the job still runs
    start_worker()
    wait_for_state(run, {RunState.COMPLETE, RunState.EXECUTOR_ERROR, RunState.SYSTEM_ERROR})
    assert run.state == RunState.COMPLETE, (run.error, run.log)
    assert run.submissions == 1  # neither lost nor duplicated: one job, still the same
    assert run.external_id == str(job_pid)
    assert RunEvent.objects.filter(run=run, to_state=RunState.COMPLETE).count() == 1
    assert run.outputs.count() == 1


def gone(pid: int) -> bool:
    """True once process ``pid`` has ended (a zombie left to its parent counts as ended)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in "ZX"
    except (FileNotFoundError, ProcessLookupError):
        return True


def wait_until(condition, timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_cancel_a_running_local_run_stops_its_job_before_it_writes_anything(
    start_worker, version, user, settings
):
    start_worker()
    sleep = 4  # the notebook sleeps, then writes result.txt
    run = services.create_run(version=version, owner=user, parameters={"sleep_seconds": sleep})
    wait_for_state(run, {RunState.RUNNING})
    job_pid = int(run.external_id)
    wait_until(lambda: child_pids(job_pid), 30, "the notebook's kernel never started")
    kernels = child_pids(job_pid)
    canceled_at = time.monotonic()
    services.cancel_run(run)
    wait_for_state(run, {RunState.CANCELED}, timeout=20)
    for pid in [job_pid, *kernels]:
        wait_until(lambda pid=pid: gone(pid), 10, f"process {pid} still runs after cancel")
    # past the moment the notebook would have written its output had it not been stopped
    time.sleep(max(0.0, canceled_at + sleep + 3 - time.monotonic()))
    work_dir = settings.RUNS_DIR / str(run.pk)
    assert not (work_dir / "result.json").exists()
    assert not list((work_dir / "outputs").iterdir())
    assert not run.outputs.exists()
    assert [e.to_state for e in run.events.all()][-2:] == ["CANCELING", "CANCELED"]
