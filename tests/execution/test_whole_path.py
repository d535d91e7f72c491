"""The whole path: demo content, an example dataset, its recommendations, a run of the first
one by a real worker, the crate, and ``manage.py rerun`` reproducing the outputs.

Also: a real worker consumes from the default server-less filesystem broker (what
``scripts/demo`` uses).
"""

import io
import time

import pytest
from django.core.management import call_command

from config.celery import filesystem_broker_options
from datasets.examples import write_examples
from datasets.services import register_dataset
from execution import services
from execution.choices import RunState
from execution.models import Run
from ontologies.services import load_snapshot
from registry import demo
from tests.execution.conftest import Worker, wait_for_state

pytestmark = pytest.mark.django_db(transaction=True)
ENDED = {RunState.COMPLETE, RunState.EXECUTOR_ERROR, RunState.SYSTEM_ERROR, RunState.CANCELED}


@pytest.mark.redis
@pytest.mark.slow
def test_recommend_run_download_crate_and_rerun(start_worker, api, settings, tmp_path):
    load_snapshot()
    demo.load_facilities()
    loaded = demo.load_procedures(progress=False)
    assert loaded
    (path,) = write_examples(tmp_path / "data", ["saxs"])
    dataset = register_dataset(path).dataset
    answer = api.get(f"/api/v1/datasets/{dataset.pid}/recommendations/")
    assert answer.status_code == 200, answer.json()
    first = answer.json()["results"][0]
    start_worker()
    response = api.post(
        "/api/v1/runs/",
        {
            "version": f"{first['procedure']}@{first['version']}",
            "dataset": dataset.pid,
            "backend": "local",
        },  # fmt: skip
        format="json",
    )
    assert response.status_code == 201, response.json()
    run = wait_for_state(Run.objects.get(pk=response.json()["id"]), ENDED, timeout=180)
    assert run.state == RunState.COMPLETE, (run.error, run.log[-2000:])
    assert run.dataset == dataset and run.outputs.exists()
    crate = api.get(response.json()["crate_url"] or f"/api/v1/runs/{run.pk}/crate.zip")
    assert crate.status_code == 200
    crate_file = tmp_path / "crate.zip"
    crate_file.write_bytes(b"".join(crate.streaming_content))
    out = io.StringIO()
    call_command("rerun", str(crate_file), stdout=out)
    assert "All outputs match." in out.getvalue()


@pytest.fixture
def filesystem_broker(settings, tmp_path):
    """This process's Celery app on a filesystem broker in a temporary folder."""
    from config.celery import app

    folder = tmp_path / "broker"
    saved = {
        k: app.conf[k] for k in ("broker_url", "task_always_eager", "broker_transport_options")
    }
    app.conf.update(
        broker_url="filesystem://",
        task_always_eager=False,
        broker_transport_options=filesystem_broker_options(folder),
    )
    app._pool = None
    app.amqp._producer_pool = None
    yield folder
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None


def test_a_worker_consumes_from_the_filesystem_broker(filesystem_broker, settings, version, user):
    worker = Worker(
        "filesystem://", settings.RUNS_DIR, {"CELERY_BROKER_FOLDER": str(filesystem_broker)}
    ).start()
    try:
        run = services.create_run(version=version, owner=user, parameters={"scale": 2})
        wait_for_state(run, ENDED, timeout=60)
        assert run.state == RunState.COMPLETE, (run.error, run.log)
        deadline = time.monotonic() + 15  # the message file goes once the task is acked
        while list((filesystem_broker / "out").iterdir()) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [p.read_text()[:300] for p in (filesystem_broker / "out").iterdir()]
    finally:
        worker.stop()
    assert not left, left


def test_a_worker_killed_on_the_filesystem_broker_leaves_no_run_stuck(
    filesystem_broker, settings, version, user
):
    env = {"CELERY_BROKER_FOLDER": str(filesystem_broker)}
    first = Worker("filesystem://", settings.RUNS_DIR, env).start()
    second = None
    try:
        run = services.create_run(version=version, owner=user, parameters={"sleep_seconds": 6})
        wait_for_state(run, {RunState.RUNNING}, timeout=60)
        job_id = run.external_id
        first.kill()
        # the transport deleted the message when it was read: there is nothing to redeliver
        assert not list((filesystem_broker / "out").iterdir())
        time.sleep(3.5)  # past the dead worker's lease (3 s)
        second = Worker("filesystem://", settings.RUNS_DIR, env).start()
        wait_for_state(run, ENDED, timeout=60)
    finally:
        first.stop()
        if second is not None:
            second.stop()
    assert run.state == RunState.COMPLETE, (run.error, run.log)
    assert run.submissions == 1 and run.external_id == job_id  # the same job, watched again
    assert run.events.filter(to_state=RunState.COMPLETE).count() == 1
    assert run.outputs.count() == 1
