"""The benchmarks in bench/ still run, at small sizes: a broken benchmark is caught here, not on
the day its figures are due. Nothing is timed: the figures are printed, never asserted."""

import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_DIR, require, shared_path

pytestmark = pytest.mark.slow


def run_benchmark(name: str, **environment: str) -> str:
    """Run ``bench/<name>.py`` as its docs say; its standard output (it must exit 0)."""
    done = subprocess.run(
        [sys.executable, f"bench/{name}.py"],
        cwd=PROJECT_DIR,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_the_extraction_benchmark_runs():
    shared_path("nexus-samples")
    out = run_benchmark("bench_extract")
    assert "files/s" in out


def test_the_ontology_benchmark_runs():
    shared_path("ontologies")
    out = run_benchmark("bench_ontology")
    assert "descendant_distances" in out and "closure rows" in out


def test_the_recommender_benchmark_runs_both_backends():
    """With ELASTICSEARCH_URL set (scripts/test starts a cluster) it measures both backends and
    checks they give the same top 5 (its own index prefix, deleted afterwards)."""
    require(bool(os.environ.get("ELASTICSEARCH_URL")), "ELASTICSEARCH_URL not set")
    out = run_benchmark("bench_recommender", BENCH_DATASETS="2000")
    assert "embedded recommend" in out and "elasticsearch recommend" in out
    same = out.rsplit("same top 5 as embedded: ", 1)[1].split()[0]
    agreeing, asked = same.split("/")
    assert agreeing == asked, out


def test_the_execution_benchmark_runs():
    """Real workers on Redis (its database 7, emptied by the benchmark)."""
    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL not set")
    out = run_benchmark("bench_execution", BENCH_DISPATCH_RUNS="3", BENCH_THROUGHPUT_RUNS="10")
    assert "dispatch overhead" in out and "runs/s" in out
