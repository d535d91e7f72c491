"""bench/load_test.py counts what the issue requires to be zero: errors, degraded answers included.

A short run against a live server of the test database (no gunicorn: the counting is what is
tested here; bench/load_test.py itself serves with scripts/serve).
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache

from bench.load_test import measure
from tests.production.servers import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def measure_in_own_thread(url: str) -> dict:
    """Run the load client in a thread of its own: a browser test earlier in the session may have
    left an event loop running in this one (playwright's sync API), where asyncio.run refuses."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, measure(url, clients=5, duration=1.5)).result()


def test_every_answer_counts_and_none_is_an_error_when_all_is_well(registry, live_server):
    cache.clear()
    figures = measure_in_own_thread(live_server.url)
    assert set(figures["by_name"]) == {  # five clients start at the five requests of the mix
        "search", "search facets", "recommendations", "dataset list", "procedure list",
    }  # fmt: skip
    assert figures["errors"] == 0 and figures["degraded"] == 0


def test_degraded_answers_are_errors_and_counted_apart(registry, live_server, settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"  # no cluster: the fallback
    cache.clear()
    figures = measure_in_own_thread(live_server.url)
    # five clients start at the five requests of the mix: search, search facets and
    # recommendations degrade, the two lists answer normally
    assert len(figures["by_name"]) == 5 and 0 < figures["degraded"] < figures["requests"], figures
    assert figures["errors"] == figures["degraded"], figures
