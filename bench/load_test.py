"""Load test: concurrent clients against scripts/serve (gunicorn) on PostgreSQL and Elasticsearch.

    .venv/bin/python bench/load_test.py [--clients 50] [--duration 60] [--url URL]

Without --url it prepares a database ``registry_load`` on the PostgreSQL of DATABASE_URL
(``scripts/postgres start``), loads the demo content plus synthetic datasets, rebuilds the
Elasticsearch index when ELASTICSEARCH_URL is set (``scripts/elasticsearch start``), starts
``scripts/serve`` on a free loopback port, and stops it at the end. Only 127.0.0.1 is ever
loaded; the run is bounded by --duration.

Clients loop over search, recommendations and dataset lists. It measures a baseline first (one
client, same mix, a quarter of the duration) and prints requests/s, p50 and p99 latency and
errors for both, with the ratios. An error is a non-2xx answer, a connection failure, or a 2xx
answer saying ``"degraded": true`` (Elasticsearch could not serve and the embedded backend
answered instead: the cluster under test failed). Degraded answers are also counted on their
own. Any error makes it exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import httpx

PROJECT = Path(__file__).resolve().parent.parent
SAXS = "http://purl.org/pan-science/PaNET/PaNET01188"
REQUESTS = [
    ("search", "GET", "/api/v1/search/?q=saxs", None),
    ("search facets", "GET", "/api/v1/search/?technique=" + SAXS, None),
    ("recommendations", "POST", "/api/v1/recommendations/", {"techniques": [SAXS], "k": 5}),
    ("dataset list", "GET", "/api/v1/datasets/?page_size=20", None),
    ("procedure list", "GET", "/api/v1/procedures/?page_size=20", None),
]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_database_url() -> str:
    """DATABASE_URL with the database ``registry_load`` (created if missing)."""
    import psycopg

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit('DATABASE_URL must point at PostgreSQL: eval "$(scripts/postgres start)"')
    with psycopg.connect(base, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = 'registry_load'"
        ).fetchone()
        if not exists:
            connection.execute("CREATE DATABASE registry_load")
    return urlunparse(urlparse(base)._replace(path="/registry_load"))


def server_env(database_url: str, var_dir: str, port: int) -> dict[str, str]:
    """Production-like environment of the server under test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_"))}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1", VAR_DIR=var_dir,
        SECURE_SSL_REDIRECT="false", DATABASE_URL=database_url, PORT=str(port),
        DATABASE_CONN_MAX_AGE="600", ELASTICSEARCH_INDEX_PREFIX="load-test",
        SEARCH_BACKEND="elasticsearch" if os.environ.get("ELASTICSEARCH_URL") else "embedded",
    )  # fmt: skip
    env.setdefault("WEB_WORKERS", str(2 * (os.cpu_count() or 1) + 1))
    return env


def prepare(env: dict[str, str], datasets: int) -> None:
    """Migrate, load the demo content and synthetic datasets, rebuild the search index."""
    manage = [str(PROJECT / ".venv/bin/python"), "manage.py"]
    run = {"cwd": PROJECT, "env": env, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([*manage, "migrate", "--noinput"], **run)
    subprocess.run([*manage, "load_demo"], **run)
    code = (
        "from datasets.models import Dataset; from ontologies.models import Term\n"
        f"saxs = Term.objects.get(iri={SAXS!r})\n"
        "have = Dataset.objects.filter(pid__startswith='10.5072/load:').count()\n"
        f"for i in range(have, {datasets}):\n"
        "    d = Dataset.objects.create(pid=f'10.5072/load:{i:06d}', title=f'Load dataset {i}')\n"
        "    d.techniques.add(saxs)\n"
    )
    subprocess.run([*manage, "shell", "-c", code], **run)
    if env["SEARCH_BACKEND"] == "elasticsearch":
        subprocess.run([*manage, "search_index", "rebuild"], **run)


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    """scripts/serve in its own process group; waits until it answers."""
    server = subprocess.Popen(
        [str(PROJECT / "scripts/serve")], cwd=PROJECT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("scripts/serve exited; run it by hand to see why")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop_server(server)
    sys.exit("scripts/serve did not answer within 120 s")


def stop_server(server: subprocess.Popen) -> None:
    """SIGTERM gunicorn's process group and wait."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def outcome(response: httpx.Response | None) -> str:
    """``ok``, ``degraded`` (a 2xx answered by the fallback backend) or ``error``."""
    if response is None or not 200 <= response.status_code < 300:
        return "error"
    if "json" in response.headers.get("content-type", ""):
        body = response.json()
        if isinstance(body, dict) and body.get("degraded") is True:
            return "degraded"
    return "ok"


async def client_loop(http: httpx.AsyncClient, index: int, until: float, stats: dict) -> None:
    """One client: the request mix in turn, starting at a different place per client."""
    position = index
    while time.monotonic() < until:
        name, method, path, body = REQUESTS[position % len(REQUESTS)]
        position += 1
        started = time.perf_counter()
        try:
            response = await http.request(method, path, json=body)
        except httpx.HTTPError:
            response = None
        stats["latencies"].append(time.perf_counter() - started)
        stats["by_name"].setdefault(name, []).append(time.perf_counter() - started)
        result = outcome(response)
        if result != "ok":
            stats["errors"] += 1  # a degraded answer is an error too
        if result == "degraded":
            stats["degraded"] += 1


async def measure(url: str, clients: int, duration: float) -> dict:
    """Run ``clients`` concurrent loops for ``duration`` seconds; figures of the run."""
    stats = {"latencies": [], "by_name": {}, "errors": 0, "degraded": 0}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        started = time.monotonic()
        until = started + duration
        await asyncio.gather(*(client_loop(http, i, until, stats) for i in range(clients)))
        elapsed = time.monotonic() - started
    latencies = sorted(stats["latencies"])
    return {
        "clients": clients,
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(0.99 * (len(latencies) - 1))] * 1000,
        "errors": stats["errors"],
        "degraded": stats["degraded"],
        "by_name": {k: statistics.median(v) * 1000 for k, v in stats["by_name"].items()},
    }


def report(baseline: dict, loaded: dict) -> None:
    """Print the figures as a Markdown table with ratios to the baseline."""
    print("| run | clients | requests | req/s | p50 ms | p99 ms | errors | of which degraded |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, r in (("baseline", baseline), ("load", loaded)):
        print(f"| {label} | {r['clients']} | {r['requests']} | {r['rps']:.1f} | "
              f"{r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} | {r['degraded']} |")  # fmt: skip
    print(f"\nthroughput x{loaded['rps'] / baseline['rps']:.2f}, "
          f"p50 x{loaded['p50'] / baseline['p50']:.2f}, p99 x{loaded['p99'] / baseline['p99']:.2f}")  # fmt: skip
    print("\n| request | baseline p50 ms | load p50 ms |\n| --- | ---: | ---: |")
    for name in loaded["by_name"]:
        print(
            f"| {name} | {baseline['by_name'].get(name, 0):.1f} | {loaded['by_name'][name]:.1f} |"
        )


def main() -> int:
    """Prepare, serve, measure, report; exit 1 on any error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (max 600)")
    parser.add_argument("--datasets", type=int, default=2000, help="synthetic datasets to add")
    parser.add_argument("--url", help="an already running server on 127.0.0.1 (no setup)")
    args = parser.parse_args()
    duration = min(max(args.duration, 1.0), 600.0)
    clients = min(max(args.clients, 1), 500)
    server = None
    if args.url:
        if urlparse(args.url).hostname not in ("127.0.0.1", "localhost"):
            sys.exit("load tests only run against 127.0.0.1")
        url = args.url
    else:
        port = free_port()
        env = server_env(load_database_url(), tempfile.mkdtemp(prefix="load-test-"), port)
        print(f"preparing (backend {env['SEARCH_BACKEND']}, {env['WEB_WORKERS']} workers) ...",
              file=sys.stderr)  # fmt: skip
        prepare(env, args.datasets)
        server = start_server(env, port)
        url = f"http://127.0.0.1:{port}"
    try:
        baseline = asyncio.run(measure(url, 1, max(duration / 4, 1.0)))
        loaded = asyncio.run(measure(url, clients, duration))
    finally:
        if server is not None:
            stop_server(server)
    report(baseline, loaded)
    return 1 if baseline["errors"] or loaded["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
