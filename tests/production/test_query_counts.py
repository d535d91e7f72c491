"""Every list endpoint answers a page of 50 in a bounded number of queries (no N+1).

Each list is measured with 10 and with 50 items (each with relations), as anonymous and as a
curator (drafts are computed per user); the count must not grow and must stay under a constant.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.models import Dataset
from ontologies.models import Term
from registry import services
from registry.models import Facility, Instrument, Resource
from tests.registry.factories import SAXS, manifest, version_entry

pytestmark = pytest.mark.django_db
MAX_QUERIES = 20


def add_procedures(count: int, start: int, curator) -> None:
    """``count`` procedures, each with a published and a draft version and a resource."""
    for index in range(start, start + count):
        document = manifest(
            slug=f"proc-{index:03d}",
            versions=[version_entry("1.0.0"), version_entry("1.1.0", status="draft")],
        )
        document["procedure"]["resources"][0]["url"] = f"https://example.org/tutorial/{index}"
        services.register_manifest(document, by=curator)


def add_others(count: int, start: int, terms: dict) -> None:
    """``count`` facilities, instruments, resources, terms and datasets with relations."""
    saxs = terms["saxs"]
    for index in range(start, start + count):
        facility = Facility.objects.create(slug=f"fac-{index:03d}", name=f"Facility {index}")
        instrument = Instrument.objects.create(
            facility=facility, slug=f"inst-{index}", name=f"Instrument {index}"
        )
        instrument.techniques.add(saxs)
        resource = Resource.objects.create(
            kind="tutorial", title=f"Tutorial {index}", url=f"https://example.org/r/{index}",
            facility=facility,
        )  # fmt: skip
        resource.techniques.add(saxs)
        term = Term.objects.create(iri=f"{SAXS}-child-{index}", label=f"child {index}")
        term.parents.add(saxs)
        dataset = Dataset.objects.create(pid=f"10.5072/q:{index:03d}", title=f"Dataset {index}")
        dataset.techniques.add(saxs, term)


LISTS = ["procedures", "versions", "resources", "facilities", "instruments", "techniques",
         "datasets"]  # fmt: skip


def count_queries(client, endpoint: str) -> int:
    """Queries made by one page of up to 50 items of ``endpoint``."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/api/v1/{endpoint}/", {"page_size": 50})
    assert response.status_code == 200, response.content[:300]
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["anonymous", "own_curator"])
def test_list_queries_do_not_grow_with_the_page(terms, roles, client_as, role):
    client = client_as(roles[role])
    add_procedures(10, 0, roles["own_curator"])
    add_others(10, 0, terms)
    small = {endpoint: count_queries(client, endpoint) for endpoint in LISTS}
    add_procedures(40, 10, roles["own_curator"])
    add_others(40, 10, terms)
    large = {endpoint: count_queries(client, endpoint) for endpoint in LISTS}
    for endpoint in LISTS:
        assert len(client.get(f"/api/v1/{endpoint}/", {"page_size": 50}).json()["results"]) >= 50
    print(f"queries for a page of 50 ({role}): {large}")
    grew = {e: (small[e], large[e]) for e in LISTS if large[e] > small[e]}
    assert not grew, f"queries grow with the page (10 items, 50 items): {grew}"
    over = {e: large[e] for e in LISTS if large[e] > MAX_QUERIES}
    assert not over, f"more than {MAX_QUERIES} queries for a page of 50: {over}"
