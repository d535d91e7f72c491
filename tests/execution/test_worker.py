"""A real Celery worker (subprocess) on a real Redis runs the runs; a killed worker loses none."""

import time

import pytest

from execution import services
from execution.choices import RunState
from execution.models import Run, RunEvent
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


def test_cancel_a_running_local_run(start_worker, version, user):
    start_worker()
    run = services.create_run(version=version, owner=user, parameters={"sleep_seconds": 30})
    wait_for_state(run, {RunState.RUNNING})
    services.cancel_run(run)
    wait_for_state(run, {RunState.CANCELED}, timeout=20)
    assert not Run.objects.filter(pk=run.pk, outputs__isnull=False).exists()
