"""Degraded modes, never a 500: search cluster down, broker down, database restarted.

The servers stopped here are private ones (tests/production/servers.py), so the shared test
servers keep serving other tests meanwhile.
"""

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from datasets.models import Dataset
from execution.choices import RunState
from execution.models import Run
from recommender import search_index
from tests.conftest import require
from tests.production.servers import free_port, stop_process_group, wait_port
from tests.registry.factories import SAXS

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broker(private_redis, settings):
    """This process's Celery app sends to the private Redis (not eager)."""
    from config.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=private_redis.url, task_always_eager=False,
                    broker_connection_timeout=2, broker_connection_max_retries=1)  # fmt: skip
    app._pool = None
    app.amqp._producer_pool = None
    yield private_redis
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_broker_down_answers_503_with_retry_after_and_leaves_no_run(registry, broker):
    client = APIClient()
    client.force_authenticate(registry["own_curator"])
    body = {"version": "saxs-integration@1.0.0", "parameters": {}, "backend": "local"}
    sent = client.post("/api/v1/runs/", body, format="json")
    assert sent.status_code == 201

    broker.stop()
    started = time.monotonic()
    response = client.post("/api/v1/runs/", body, format="json")
    assert time.monotonic() - started < 30, "an unreachable broker must fail fast"
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert int(response["Retry-After"]) > 0
    # nothing half-written: only the first run, sent before the broker went down, is there
    assert list(Run.objects.values_list("pk", "state")) == [
        (uuid.UUID(sent.json()["id"]), RunState.QUEUED)
    ]
    assert client.get("/api/v1/runs/").json()["count"] == 1

    broker.start()
    from config.celery import app

    app._pool = None
    assert client.post("/api/v1/runs/", body, format="json").status_code == 201


@pytest.fixture
def private_elasticsearch():
    """A one-node Elasticsearch of this test's own (scripts/elasticsearch with ES_STATE_DIR and
    free ports), so stopping it leaves the shared server serving other tests."""
    require(os.geteuid() == 0, "scripts/elasticsearch runs the server as esrunner: needs root")
    state = Path(tempfile.mkdtemp(prefix="private-es-"))
    state.chmod(0o755)
    env = {**os.environ, "ES_STATE_DIR": str(state), "ES_PORT": str(free_port()),
           "ES_TRANSPORT_PORT": str(free_port())}  # fmt: skip
    script = str(PROJECT / "scripts/elasticsearch")

    def run(*args: str) -> str:
        done = subprocess.run([script, *args], env=env, capture_output=True, text=True,
                              timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    exports = run("start")
    url = exports.strip().rsplit("=", 1)[1]
    try:  # started again on the same ports and data directory: the same node, index kept
        yield {"url": url, "stop": lambda: run("stop"), "start": lambda: run("start")}
    finally:
        run("stop")
        shutil.rmtree(state, ignore_errors=True)


@pytest.mark.elasticsearch
@pytest.mark.slow
@pytest.mark.django_db
def test_search_cluster_down_falls_back_to_embedded_backend(
    registry, settings, private_elasticsearch
):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = private_elasticsearch["url"]
    settings.ELASTICSEARCH_INDEX_PREFIX = "test-degraded"
    search_index.rebuild()
    client = APIClient()
    cache.clear()
    up = client.post("/api/v1/recommendations/", {"techniques": [SAXS]}, format="json").json()
    assert up["degraded"] is False and up["degraded_reason"] == ""
    assert up["engine_version"].startswith("elasticsearch/")

    private_elasticsearch["stop"]()  # the real server is gone
    cache.clear()
    response = client.post("/api/v1/recommendations/", {"techniques": [SAXS]}, format="json")
    assert response.status_code == 200, response.content[:300]
    answer = response.json()
    assert answer["degraded"] is True and answer["degraded_reason"]
    assert answer["engine_version"].startswith("embedded/")
    assert [r["procedure"] for r in answer["results"]] == ["saxs-integration"]
    assert [r["procedure"] for r in answer["results"]] == [r["procedure"] for r in up["results"]]

    found = client.get("/api/v1/search/", {"q": "saxs"})
    assert found.status_code == 200, found.content[:300]
    assert found.json()["degraded"] is True and found.json()["degraded_reason"]
    assert "saxs-integration" in [r["procedure"] for r in found.json()["results"]]

    private_elasticsearch["start"]()  # back: answers come from the cluster again
    cache.clear()
    back = client.post("/api/v1/recommendations/", {"techniques": [SAXS]}, format="json").json()
    assert back["degraded"] is False and back["degraded_reason"] == ""
    assert back["engine_version"].startswith("elasticsearch/")
    assert [r["procedure"] for r in back["results"]] == [r["procedure"] for r in up["results"]]
    found = client.get("/api/v1/search/", {"q": "saxs"}).json()
    assert found["degraded"] is False and found["degraded_reason"] == ""


@pytest.mark.django_db
def test_no_search_cluster_at_all_answers_degraded_from_the_embedded_backend(
    registry, terms, settings
):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    dataset = Dataset.objects.create(pid="10.5072/degraded:saxs", title="SAXS", is_public=True)
    dataset.techniques.add(terms["saxs"])
    client = APIClient(raise_request_exception=False)
    cache.clear()
    for method, url, body in [
        ("post", "/api/v1/recommendations/", {"techniques": [SAXS]}),
        ("get", f"/api/v1/datasets/{dataset.pid}/recommendations/", None),
        ("get", "/api/v1/search/", {"q": "saxs"}),
    ]:
        response = getattr(client, method)(url, body, format="json" if method == "post" else None)
        where = f"{method.upper()} {url}: {response.status_code}"
        assert response.status_code == 200, f"{where} {response.content[:300]}"
        answer = response.json()
        assert answer["degraded"] is True, where
        assert "answered by the embedded backend" in answer["degraded_reason"], where
        assert "saxs-integration" in [r["procedure"] for r in answer["results"]], where


def get_json(url: str):
    """(status, body) of a GET; connection failures are status 0."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None
    except OSError:
        return 0, None


def get_response(url: str):
    """(status, headers, body text) of a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.mark.postgres
@pytest.mark.slow
def test_the_app_recovers_after_a_database_restart(private_postgres, tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1", VAR_DIR=str(tmp_path),
        SECURE_SSL_REDIRECT="false", WEB_WORKERS="2", PORT=str(port),
        DATABASE_URL=private_postgres.url, DATABASE_CONN_MAX_AGE="600",
    )  # fmt: skip
    server = subprocess.Popen([str(PROJECT / "scripts/serve"), "--migrate"], cwd=PROJECT, env=env,
                              start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}/api/v1/procedures/"
    try:
        wait_port(port, timeout=120)
        assert all(get_json(url)[0] == 200 for _ in range(6))  # persistent connections open
        private_postgres.stop()
        down = [get_response(url) for _ in range(3)]
        page = get_response(f"http://127.0.0.1:{port}/")
        private_postgres.start()
        after = [get_json(url)[0] for _ in range(10)]
        print(f"statuses while the database is down: {[d[0] for d in down]}, page {page[0]}")
        for status, headers, body in down:  # the API's error shape, with Retry-After
            assert status == 503, (status, body[:300])
            assert int(headers["Retry-After"]) > 0
            assert json.loads(body)["error"]["code"] == "service_unavailable"
        assert page[0] == 503 and int(page[1]["Retry-After"]) > 0, page
        assert after == [200] * 10, f"while down: {down}; after the restart: {after}"
    finally:
        stop_process_group(server)
