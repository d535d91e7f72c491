"""scripts/serve: gunicorn in production mode with whitenoise, refusing to start unconfigured."""

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
SERVE = str(PROJECT / "scripts" / "serve")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(tmp_path: Path, **changes: str) -> dict[str, str]:
    """The environment of a production server on loopback with its own SQLite database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_", "DATABASE_URL"))
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1,localhost",
        VAR_DIR=str(tmp_path), SECURE_SSL_REDIRECT="false", WEB_WORKERS="2",
    )  # fmt: skip
    env.update(changes)
    return env


def get(url: str, timeout: float = 5):
    """(status, headers, body) of a GET, HTTP errors included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.slow
def test_serve_runs_gunicorn_with_static_files_and_security_headers(tmp_path):
    port = free_port()
    env = production_env(tmp_path, PORT=str(port))
    server = subprocess.Popen(
        [SERVE, "--migrate"], cwd=PROJECT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode()[-2000:]
            try:
                status, headers, body = get(base + "/api/v1/procedures/", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "scripts/serve did not answer within 60 s"
                time.sleep(0.3)
        assert status == 200 and b'"results"' in body
        assert "gunicorn" in headers.get("Server", "")
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        static_status, static_headers, _ = get(base + "/static/admin/css/base.css")
        assert static_status == 200
        assert "max-age" in static_headers.get("Cache-Control", "")
        missing_status, _, missing_body = get(base + "/api/v1/procedures/nope/")
        assert missing_status == 404 and b'"error"' in missing_body
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_serve_refuses_to_start_unconfigured(tmp_path, missing):
    env = production_env(tmp_path)
    env.pop(missing)
    result = subprocess.run(
        [SERVE], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_serve_refuses_debug_mode(tmp_path):
    env = production_env(tmp_path, DJANGO_DEBUG="true")
    result = subprocess.run(
        [SERVE], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "DJANGO_DEBUG is on" in result.stderr


def test_a_worker_freezes_what_start_up_built(tmp_path):
    """config.wsgi loads the views and exempts start-up objects from garbage collection, so a
    request building many objects does not rescan them (docs/benchmarks.md, search)."""
    probe = (
        "import gc, sys\n"
        "import config.wsgi\n"
        "assert 'recommender.api.views' in sys.modules, 'the URLconf was not loaded'\n"
        "print(gc.get_freeze_count())\n"
    )
    env = production_env(tmp_path, DJANGO_DEBUG="true")
    done = subprocess.run([str(PROJECT / ".venv/bin/python"), "-c", probe], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 50_000
