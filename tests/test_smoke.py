"""The project starts: settings load, URLs resolve, the home page and API schema answer, and the
README's demo command serves the demo content."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_home_page_answers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Analysis registry" in response.content


@pytest.mark.django_db
def test_unknown_api_url_answers_in_error_shape(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "not_found"
    assert "/api/v1/no-such-thing/" in body["error"]["message"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, deadline: float) -> bytes:
    """The body of ``url`` once it answers 200, while ``server`` runs and before ``deadline``."""
    while True:
        assert server.poll() is None, f"scripts/demo exited with {server.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return response.read()
        except OSError:  # not listening yet, or an HTTP error while it starts
            pass
        assert time.monotonic() < deadline, f"{url} did not answer 200 in time"
        time.sleep(1)


def group_alive(pgid: int) -> bool:
    """True while a process of the process group ``pgid`` runs (zombies do not count: an
    orphan's may wait for an init that does not reap)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            state, _, group = stat.read_text().rpartition(")")[2].split()[:3]
            if int(group) == pgid and state != "Z":
                return True
    return False


def stop_group(server: subprocess.Popen, grace: float = 30) -> bool:
    """SIGTERM ``server`` and every process it started (runserver's child, the Celery worker);
    True when they all ended within ``grace`` seconds. Whatever is left is then killed."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and (server.poll() is None or group_alive(server.pid)):
        time.sleep(0.2)
    stopped = not group_alive(server.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    return stopped


@pytest.mark.slow
def test_readme_demo_command_serves_the_demo_content(tmp_path):
    """The README's first command, ``scripts/demo``, on a throwaway VAR_DIR and a free port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(VAR_DIR=str(tmp_path / "var"), PORT=str(port), DEMO_PASSWORD="smoke-test")
    for name in ("SEARCH_BACKEND", "CELERY_BROKER_URL", "ELASTICSEARCH_URL", "REDIS_URL"):
        env.pop(name, None)  # the embedded defaults, as on a fresh machine
    log = (tmp_path / "demo.log").open("wb")
    server = subprocess.Popen(
        [str(PROJECT / "scripts" / "demo")], cwd=PROJECT, env=env, start_new_session=True,
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        body = json.loads(wait_for(base + "/api/v1/procedures/?page_size=100", server, deadline))
        home = wait_for(base + "/", server, deadline)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{(tmp_path / 'demo.log').read_text()[-3000:]}") from None
    finally:
        stopped = stop_group(server)
        log.close()
    assert stopped, "scripts/demo left processes running after SIGTERM"
    assert body["count"] >= 20
    arpes = next(p for p in body["results"] if p["slug"] == "arpes-band-dispersion")
    assert "Demo procedure" in arpes["summary"] + arpes["description"]
    assert b"Analysis registry" in home
    assert (tmp_path / "var" / "db.sqlite3").exists()
    assert (tmp_path / "var" / "celery-worker.log").exists()
