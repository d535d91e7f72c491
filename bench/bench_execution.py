"""Benchmark of execution: dispatch overhead and throughput of runs through real Celery workers.

Run with ``REDIS_URL=redis://127.0.0.1:6390/0 .venv/bin/python bench/bench_execution.py``
(``eval "$(scripts/redis start)"`` first; the benchmark uses Redis database 7 and empties it).
Own temporary SQLite database (WAL) and VAR_DIR.

- Dispatch overhead: from the start of ``POST /api/v1/runs/`` to the worker's claim of the run
  (its INITIALIZING event, recorded just before the backend starts the job), p50/p90 over
  ``DISPATCH_RUNS`` runs one after another with one idle worker. Baseline in the same run: the
  POST alone (validation, insert, publish to Redis).
- Throughput: ``THROUGHPUT_RUNS`` trivial runs (the BinderHub link-out backend: no job process,
  so the figure is the registry's own cost per run: queue, claim, transitions, crate) queued
  at once, two workers with one process each, until every run has ended; runs/s. Baseline in
  the same run: the same runs executed in this process with ``task_always_eager`` (no queue,
  one at a time).
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import PROJECT_DIR, percentile
from common import setup_django as setup_common

DISPATCH_RUNS = int(os.environ.get("BENCH_DISPATCH_RUNS", 50))
THROUGHPUT_RUNS = int(os.environ.get("BENCH_THROUGHPUT_RUNS", 200))
WORKERS = 2
REDIS_DB = 7


def broker_url() -> str:
    """REDIS_URL with the benchmark's own database number."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        sys.exit('REDIS_URL is not set: eval "$(scripts/redis start)"')
    return url.rsplit("/", 1)[0] + f"/{REDIS_DB}"


def environment(workdir: str) -> dict:
    """Settings shared by this process and the workers (through the environment)."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "VAR_DIR": workdir,
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "CELERY_BROKER_URL": broker_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EXECUTION_POLL_SECONDS": "0.05",
        "SEARCH_BACKEND": "embedded",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "testserver,localhost",
    }


def setup_django(workdir: str):
    """Configure Django on a fresh SQLite database, migrate, and make one procedure version."""
    setup_common(workdir, **environment(workdir))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")  # readers and one writer at a time
    from django.contrib.auth import get_user_model

    from registry.models import Procedure, ProcedureVersion

    procedure = Procedure.objects.create(
        slug="bench", name="Benchmark procedure", summary="Bench content.", license="MIT",
        status="published",
    )  # fmt: skip
    ProcedureVersion.objects.create(
        procedure=procedure, version="1.0.0", status="published",
        code_repository="https://github.com/analysis-registry-demo/procedures.git",
        code_commit="0" * 40, entry_point="saxs-azimuthal-integration/analysis.ipynb",
        container_image="ghcr.io/example/bench:1@sha256:" + "a" * 64,
    )  # fmt: skip
    return get_user_model().objects.create_user("bench", password="bench-pw-123")


def start_workers(workdir: str) -> list[subprocess.Popen]:
    """``WORKERS`` real Celery workers (one process each); returns once all are ready."""
    workers = []
    for number in range(WORKERS):
        log = Path(workdir) / f"worker-{number}.log"
        workers.append(
            subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "-P",
                    "prefork",
                    "-c",
                    "1",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-l",
                    "INFO",
                    "-n",
                    f"bench{number}@%h",
                ],
                cwd=PROJECT_DIR,
                env={**os.environ, **environment(workdir)},
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        )
    deadline = time.monotonic() + 60
    for number in range(WORKERS):
        log = Path(workdir) / f"worker-{number}.log"
        while b"ready." not in log.read_bytes():
            if time.monotonic() > deadline:
                sys.exit(f"worker {number} not ready:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    """Stop the workers this benchmark started (by their process groups)."""
    import signal

    for worker in workers:
        os.killpg(worker.pid, signal.SIGTERM)
    for worker in workers:
        worker.wait(30)


def wait_until_ended(ids: list, timeout: float = 600) -> None:
    """Wait until every run in ``ids`` has ended."""
    from execution.choices import TERMINAL_STATES
    from execution.models import Run

    deadline = time.monotonic() + timeout
    while Run.objects.filter(pk__in=ids).exclude(state__in=TERMINAL_STATES).exists():
        if time.monotonic() > deadline:
            sys.exit("runs did not end in time")
        time.sleep(0.1)


def measure_dispatch(client) -> tuple[list[float], list[float]]:
    """Seconds from POST to the worker's claim, and seconds of the POST alone, per run."""
    from execution.models import RunEvent

    overheads, posts = [], []
    for _ in range(DISPATCH_RUNS):
        started = time.time()
        response = client.post(
            "/api/v1/runs/", {"version": "bench@1.0.0", "backend": "binder"}, format="json"
        )
        posts.append(time.time() - started)
        run_id = response.json()["id"]
        wait_until_ended([run_id])
        claimed = RunEvent.objects.get(run_id=run_id, to_state="INITIALIZING").at
        overheads.append(claimed.timestamp() - started)
    return overheads, posts


def measure_throughput(user, eager: bool) -> float:
    """Runs per second for ``THROUGHPUT_RUNS`` link-out runs (workers, or eager in-process)."""
    from config.celery import app
    from execution import services

    app.conf.task_always_eager = eager
    started = time.monotonic()
    ids = [
        services.create_run(version=version_of("bench@1.0.0"), owner=user, backend="binder").pk
        for _ in range(THROUGHPUT_RUNS)
    ]
    wait_until_ended(ids)
    app.conf.task_always_eager = False
    return THROUGHPUT_RUNS / (time.monotonic() - started)


def version_of(reference: str):
    """The procedure version ``slug@version``."""
    from execution.api.serializers import find_version

    return find_version(reference)


def main() -> None:
    """Measure and print."""
    with tempfile.TemporaryDirectory(prefix="bench-execution-") as workdir:
        user = setup_django(workdir)
        from rest_framework.test import APIClient

        from config.celery import app

        with app.connection_for_write() as connection:
            connection.default_channel.client.flushdb()
        client = APIClient()
        client.force_authenticate(user)
        workers = start_workers(workdir)
        try:
            overheads, posts = measure_dispatch(client)
            workers_rate = measure_throughput(user, eager=False)
        finally:
            stop_workers(workers)
        eager_rate = measure_throughput(user, eager=True)
    ms = 1000
    print(f"dispatch overhead (POST -> worker claims the run), {DISPATCH_RUNS} runs, Redis:")
    print(
        f"  p50 {percentile(overheads, 0.5) * ms:.1f} ms, p90 {percentile(overheads, 0.9) * ms:.1f} ms"
    )
    print(f"  baseline POST alone: p50 {statistics.median(posts) * ms:.1f} ms "
          f"(ratio {percentile(overheads, 0.5) / statistics.median(posts):.2f}x)")  # fmt: skip
    print(
        f"throughput, {THROUGHPUT_RUNS} link-out runs, {WORKERS} workers: {workers_rate:.1f} runs/s"
    )
    print(f"  baseline eager in-process: {eager_rate:.1f} runs/s "
          f"(ratio {workers_rate / eager_rate:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
