"""Each real test server answers (started by scripts/servers; see conftest.py here)."""

import time

import pytest
import requests

SLURM_API = "slurm/v0.0.38"


@pytest.mark.elasticsearch
def test_elasticsearch_cluster_is_healthy(elasticsearch_urls):
    from elasticsearch import Elasticsearch

    client = Elasticsearch(elasticsearch_urls, request_timeout=10)
    try:
        health = client.cluster.health()
    finally:
        client.close()
    assert health["status"] in {"green", "yellow"}
    assert health["number_of_nodes"] == len(elasticsearch_urls)


@pytest.mark.redis
def test_redis_answers_ping(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        assert client.ping() is True
    finally:
        client.close()


@pytest.mark.postgres
def test_postgres_accepts_the_registry_role(database_url):
    import psycopg

    with psycopg.connect(database_url, connect_timeout=5) as conn:
        user, can_create_db = conn.execute(
            "SELECT current_user, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    assert user == "registry"
    assert can_create_db is True  # Django's test runner creates test_<name>


@pytest.mark.jupyterhub
def test_jupyterhub_api_answers_with_the_service_token(jupyterhub):
    response = requests.get(f"{jupyterhub.api_url}/", headers=jupyterhub.headers, timeout=10)
    assert response.status_code == 200
    assert "version" in response.json()

    me = requests.get(f"{jupyterhub.api_url}/user", headers=jupyterhub.headers, timeout=10)
    assert me.status_code == 200
    assert me.json()["kind"] == "service"
    assert me.json()["name"] == "analysis-registry"


@pytest.mark.slurm
def test_slurmrestd_runs_a_job_to_completion(slurm, tmp_path):
    ping = requests.get(f"{slurm.url}/{SLURM_API}/ping", headers=slurm.headers, timeout=10)
    assert ping.status_code == 200, ping.text
    assert ping.json()["pings"], ping.text

    output = tmp_path / "hello.out"  # the job runs as SLURM_JWT_USER (root by default)
    job = {
        "script": "#!/bin/bash\necho hello\n",
        "job": {
            "name": "registry-integration-hello",
            "current_working_directory": str(tmp_path),
            "standard_output": str(output),
            "environment": {"PATH": "/usr/bin:/bin"},
        },
    }
    submitted = requests.post(
        f"{slurm.url}/{SLURM_API}/job/submit", json=job, headers=slurm.headers, timeout=10
    )
    assert submitted.status_code == 200, submitted.text
    job_id = submitted.json()["job_id"]

    state = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        info = requests.get(
            f"{slurm.url}/{SLURM_API}/job/{job_id}", headers=slurm.headers, timeout=10
        )
        assert info.status_code == 200, info.text
        state = info.json()["jobs"][0]["job_state"]
        if state not in {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING"}:
            break
        time.sleep(0.25)
    assert state == "COMPLETED"
    assert output.read_text().strip() == "hello"
