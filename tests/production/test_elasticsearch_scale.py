"""Elasticsearch at scale: replicas on a cluster, rebuilds under load, a node lost.

Needs a cluster of at least two nodes: ``scripts/elasticsearch start --nodes 2`` (its node 1 is
the only master, so ``scripts/elasticsearch stop-node 2`` is a deterministic fault). Marked
``es_cluster``: the main ``scripts/test`` runs deselect them (``-m "not es_cluster"``, they run on
one node), and a dedicated step runs them on a two-node cluster (``-m es_cluster``). Given a
one-node cluster they skip, and fail under ``CI=true``. ``scripts/elasticsearch`` is called with
this process's environment, so ``ES_PORT``, ``ES_TRANSPORT_PORT`` and ``ES_STATE_DIR`` must be
those the cluster was started with.
"""

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from recommender import search_index
from recommender.backends import get_backend
from recommender.query import RecommendationQuery
from tests.conftest import require
from tests.recommender.conftest import catalogue  # noqa: F401 (fixture)
from tests.registry.factories import SAXS

pytestmark = [
    pytest.mark.elasticsearch,
    pytest.mark.es_cluster,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cluster(settings):
    """A real cluster of two or more nodes with a test-only index prefix, cleaned afterwards."""
    require(bool(os.environ.get("ELASTICSEARCH_URL")), "ELASTICSEARCH_URL not set")
    settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
    settings.ELASTICSEARCH_INDEX_PREFIX = "test-scale"
    es = search_index.client()
    nodes = es.cluster.health()["number_of_nodes"]
    require(nodes >= 2, f"the cluster has {nodes} node; start it with --nodes 2")
    yield es
    for name in es.indices.get(index="test-scale-*"):
        es.indices.delete(index=name)


def ask() -> list[str]:
    """Slugs recommended for SAXS by the Elasticsearch backend."""
    query = RecommendationQuery.from_techniques([SAXS])
    results = get_backend("elasticsearch").recommend(query, 5, {})
    return [r.procedure_version.procedure.slug for r in results]


def test_index_has_one_replica_on_a_cluster(cluster, catalogue):  # noqa: F811
    search_index.rebuild()
    settings = cluster.indices.get_settings(index=search_index.alias_name())
    assert {s["settings"]["index"]["number_of_replicas"] for s in settings.values()} == {"1"}


def test_rebuild_while_querying_never_errors_nor_answers_empty(cluster, catalogue):  # noqa: F811
    search_index.rebuild()
    expected = ask()
    assert expected
    problems, answers, stop = [], [], threading.Event()

    def query_continuously() -> None:
        from django.db import connection

        try:
            while not stop.is_set():
                try:
                    found = ask()
                except Exception as exc:  # noqa: BLE001 - every error is a finding here
                    problems.append(repr(exc))
                else:
                    answers.append(found)
                    if not found:
                        problems.append("empty answer")
        finally:
            connection.close()

    reader = threading.Thread(target=query_continuously)
    reader.start()
    try:
        for _ in range(3):
            search_index.rebuild()
    finally:
        stop.set()
        reader.join(timeout=60)
    assert len(answers) > 3 and not problems, problems[:5]
    assert all(found == expected for found in answers)


def test_queries_answer_with_a_node_stopped(cluster, catalogue):  # noqa: F811
    search_index.rebuild()
    expected = ask()
    subprocess.run([str(PROJECT / "scripts/elasticsearch"), "stop-node", "2"], check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:  # the master notices the lost node within seconds
            try:
                assert ask() == expected
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        for _ in range(20):
            assert ask() == expected
    finally:
        subprocess.run([str(PROJECT / "scripts/elasticsearch"), "start", "--nodes", "2"],
                       check=True, capture_output=True, timeout=300)  # fmt: skip
