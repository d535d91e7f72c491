"""bench/load_test.py counts what the issue requires to be zero: errors, degraded answers included.

A short run against a live server of the test database (no gunicorn: the counting is what is
tested here; bench/load_test.py itself serves with scripts/serve).
"""

import asyncio

import pytest
from django.core.cache import cache

from bench.load_test import measure
from tests.production.servers import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_every_answer_counts_and_none_is_an_error_when_all_is_well(registry, live_server):
    cache.clear()
    figures = asyncio.run(measure(live_server.url, clients=5, duration=1.5))
    assert set(figures["by_name"]) == {  # five clients start at the five requests of the mix
        "search", "search facets", "recommendations", "dataset list", "procedure list",
    }  # fmt: skip
    assert figures["errors"] == 0 and figures["degraded"] == 0


def test_degraded_answers_are_errors_and_counted_apart(registry, live_server, settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # no cluster: the fallback
    cache.clear()
    figures = asyncio.run(measure(live_server.url, clients=5, duration=1.5))
    # five clients start at the five requests of the mix: search, search facets and
    # recommendations degrade, the two lists answer normally
    assert len(figures["by_name"]) == 5 and 0 < figures["degraded"] < figures["requests"], figures
    assert figures["errors"] == figures["degraded"], figures
