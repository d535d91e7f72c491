"""Fixtures of the execution tests: a tiny procedure, users, settings, a real Celery worker.

Tests that need a worker run it as a subprocess against a real Redis. The worker must see
the test database: on SQLite the test database is a file (not the in-memory one), on
PostgreSQL it is the test database the run created; either way the worker is pointed at it by
name through ``EXECUTION_TEST_DB`` (``tests.execution.worker_settings``), and those tests use
``django_db(transaction=True)`` so their writes are committed where the worker can read them.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection

from registry.choices import VersionStatus
from registry.models import Procedure, ProcedureVersion
from tests.conftest import PROJECT_DIR, require

DATA_DIR = Path(__file__).parent / "data"
TEST_REPOSITORY = "https://example.org/analysis-registry/test-procedures.git"
INPUT_SCHEMA = {
    "type": "object",
    "properties": {
        "scale": {"type": "number", "minimum": 0, "default": 2.0},
        "sleep_seconds": {"type": "number", "minimum": 0, "maximum": 60},
        "fail": {"type": "boolean"},
    },
    "additionalProperties": False,
}

# A file test database the worker subprocess can open (set before any database is created).
_database = django_settings.DATABASES["default"]
if _database["ENGINE"].endswith("sqlite3"):
    TEST_DB = (
        Path(os.environ.get("VAR_DIR", PROJECT_DIR / "var"))
        / f"test-execution-{os.getpid()}.sqlite3"
    )
    _database.setdefault("TEST", {})["NAME"] = str(TEST_DB)
    _database.setdefault("OPTIONS", {})["timeout"] = 30
else:
    TEST_DB = None


@pytest.fixture(autouse=True)
def execution_settings(settings, tmp_path):
    """Runs under a temporary RUNS_DIR, the test repository mirrored, quick polling."""
    settings.RUNS_DIR = tmp_path / "runs"
    settings.CODE_MIRRORS = {**settings.CODE_MIRRORS, TEST_REPOSITORY: DATA_DIR}
    settings.EXECUTION_POLL_SECONDS = 0.2
    settings.NEXUS_DATA_ROOTS = [*settings.NEXUS_DATA_ROOTS, tmp_path / "data"]
    (tmp_path / "data").mkdir()
    return settings


@pytest.fixture
def user(db):
    """A scientist."""
    return get_user_model().objects.create_user("ada", password="pw-ada-123")


@pytest.fixture
def other_user(db):
    """Another scientist."""
    return get_user_model().objects.create_user("bob", password="pw-bob-123")


@pytest.fixture
def staff(db):
    """Facility staff."""
    return get_user_model().objects.create_user("carol", password="pw", is_staff=True)


@pytest.fixture
def version(db):
    """A published version of the tiny test procedure."""
    procedure = Procedure.objects.create(
        slug="tiny",
        name="Tiny test procedure",
        summary="Test content.",
        license="MIT",
        status="published",
    )
    return ProcedureVersion.objects.create(
        procedure=procedure,
        version="1.0.0",
        status=VersionStatus.PUBLISHED,
        code_repository=TEST_REPOSITORY,
        code_commit="0" * 40,
        entry_point="tiny/analysis.ipynb",
        container_image="ghcr.io/example/tiny:1.0.0@sha256:" + "a" * 64,
        input_schema=INPUT_SCHEMA,
        outputs=[{"name": "result.txt"}],
    )


@pytest.fixture
def data_file(tmp_path):
    """A small input file inside a data root."""
    path = tmp_path / "data" / "sample.dat"
    path.write_bytes(b"demo data\n" * 10)
    return path


@pytest.fixture
def api(client, user):
    """A DRF client logged in as ``user``."""
    from rest_framework.test import APIClient

    api_client = APIClient()
    api_client.force_authenticate(user)
    return api_client


@pytest.fixture
def redis_url() -> str:
    """The Redis started by scripts/redis (REDIS_URL)."""
    url = os.environ.get("REDIS_URL", "")
    require(bool(url), "REDIS_URL is not set (run: eval $(scripts/redis start))")
    return url


class Worker:
    """A real ``celery -A config worker`` subprocess on the test database and a Redis broker."""

    def __init__(self, broker_url: str, runs_dir: Path, extra_env: dict | None = None):
        self.broker_url = broker_url
        self.runs_dir = runs_dir
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None
        self.log_path = runs_dir.parent / f"worker-{time.monotonic_ns()}.log"

    def environment(self) -> dict:
        """The worker's environment: same test DB, same RUNS_DIR, the Redis broker."""
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="tests.execution.worker_settings",
            EXECUTION_TEST_DB=str(connection.settings_dict["NAME"]),
            CELERY_BROKER_URL=self.broker_url,
            CELERY_RESULT_BACKEND="",
            CELERY_TASK_ALWAYS_EAGER="false",
            RUNS_DIR=str(self.runs_dir),
            EXECUTION_TEST_MIRROR=f"{TEST_REPOSITORY}={DATA_DIR}",
            EXECUTION_POLL_SECONDS="0.2",
            **self.extra_env,
        )
        return env

    def start(self, concurrency: int = 1) -> "Worker":
        """Start the worker in its own process group and wait until it is ready."""
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
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
                str(concurrency),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "INFO",
                "-n",
                f"test-{time.monotonic_ns()}@%h",
            ],
            cwd=PROJECT_DIR,
            env=self.environment(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if b"ready." in self.log_path.read_bytes():
                return self
            if self.process.poll() is not None:
                raise RuntimeError("worker died:\n" + self.log_path.read_text()[-3000:])
            time.sleep(0.2)
        raise RuntimeError("worker not ready:\n" + self.log_path.read_text()[-3000:])

    def kill(self) -> None:
        """SIGKILL the worker and its pool (not the jobs: they live in their own sessions)."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """Stop the worker gracefully, or kill it after 15 s."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


@pytest.fixture
def celery_redis(redis_url, settings):
    """Point this process's Celery app at Redis (not eager) and purge the queue."""
    from config.celery import app

    saved = {
        k: app.conf[k] for k in ("broker_url", "task_always_eager", "broker_transport_options")
    }
    app.conf.update(
        broker_url=redis_url,
        task_always_eager=False,
        broker_transport_options={"visibility_timeout": 4},
    )
    app._pool = None
    app.amqp._producer_pool = None
    with app.connection_for_write() as connection:
        connection.default_channel.client.flushdb()
    yield app
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def start_worker(celery_redis, redis_url, settings):
    """Start real workers; every one started is stopped at the end of the test."""
    started: list[Worker] = []

    def start(concurrency: int = 1, **extra_env) -> Worker:
        worker = Worker(redis_url, settings.RUNS_DIR, extra_env).start(concurrency)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for_state(run, states, timeout: float = 90):
    """Reload ``run`` until its state is one of ``states``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.state in states:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run stayed {run.state}, log:\n{run.log}\nerror: {run.error}")


@pytest.fixture
def jupyterhub_settings(settings):
    """The JupyterHub started by scripts/jupyterhub (JUPYTERHUB_URL, _API_URL, _API_TOKEN)."""
    names = ("JUPYTERHUB_URL", "JUPYTERHUB_API_URL", "JUPYTERHUB_API_TOKEN")
    missing = [name for name in names if not os.environ.get(name)]
    require(not missing, f"{', '.join(missing)} not set: eval \"$(scripts/jupyterhub start)\"")
    for name in names:
        setattr(settings, name, os.environ[name])
    return settings


@pytest.fixture
def slurm_settings(settings):
    """The Slurm of scripts/slurm (SLURMRESTD_URL, SLURM_JWT_USER, SLURM_JWT_TOKEN)."""
    names = ("SLURMRESTD_URL", "SLURM_JWT_USER", "SLURM_JWT_TOKEN")
    missing = [name for name in names if not os.environ.get(name)]
    require(not missing, f"{', '.join(missing)} not set: eval \"$(scripts/slurm start)\"")
    for name in names:
        setattr(settings, name, os.environ[name])
    settings.SLURM_PARTITION = os.environ.get("SLURM_PARTITION", "")
    return settings
