"""Every list endpoint answers a page of 50 in a bounded number of queries (no N+1).

Each list is measured with 10 and with 50 items (each with its relations: versions, resources,
parameters and files, run outputs and events, authors, results, comparisons), as anonymous, as
a curator (drafts and runs are computed per user) and as staff (the audit log); the count must
not grow with the page and must stay under a constant.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.models import Dataset, DatasetFile, Parameter
from execution.choices import RunState
from execution.models import Run, RunEvent, RunOutput
from ontologies.models import NexusDefinition, NexusDefinitionMapping, Term
from publications.choices import ComparisonStatus, ReproductionStatus
from publications.models import (
    Publication,
    PublicationAuthor,
    PublishedResult,
    Reproduction,
    ResultComparison,
)
from registry import services
from registry.models import Facility, Instrument, ProcedureVersion, Resource
from tests.registry.factories import SAXS, manifest, version_entry

pytestmark = pytest.mark.django_db
MAX_QUERIES = 20
EVERYONE = ("anonymous", "own_curator", "staff")
PANOSC_PAGE = json.dumps({"limit": 50, "include": ["techniques", "parameters", "files"]})
PANOSC_SCOPED = json.dumps(
    {"limit": 50, "include": [{"relation": "parameters", "scope": {"where": {"name": "energy"}}},
                              {"relation": "files", "scope": {"where": {"size": 1}}}]}
)  # fmt: skip
# page of up to 50 items → the roles that read it
LISTS = {
    "/api/v1/procedures/?page_size=50": EVERYONE,
    "/api/v1/versions/?page_size=50": EVERYONE,
    "/api/v1/resources/?page_size=50": EVERYONE,
    "/api/v1/facilities/?page_size=50": EVERYONE,
    "/api/v1/instruments/?page_size=50": EVERYONE,
    "/api/v1/techniques/?page_size=50": EVERYONE,
    "/api/v1/datasets/?page_size=50": EVERYONE,
    "/api/v1/nexus-definitions/?page_size=50": EVERYONE,
    "/api/v1/search/?q=saxs&page_size=50": EVERYONE,
    "/api/v1/publications/?page_size=50": EVERYONE,
    "/api/v1/publication-reproductions/?page_size=50": EVERYONE,
    "/api/v1/runs/?page_size=50": ("own_curator", "staff"),
    "/api/v1/audit/?page_size=50": ("staff",),
    f"/panosc/Datasets?filter={PANOSC_PAGE}": EVERYONE,
    f"/panosc/Datasets?filter={PANOSC_SCOPED}": EVERYONE,
}


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


def add_runs_and_publications(count: int, start: int, terms: dict, owner) -> None:
    """Per procedure of :func:`add_procedures` and dataset of :func:`add_others`: a run with an
    output and an event, a mapped NeXus definition, and a publication with an author, a
    result and a reproduction of it by that run; the datasets get a parameter and a file."""
    for index in range(start, start + count):
        version = ProcedureVersion.objects.get(procedure__slug=f"proc-{index:03d}", version="1.0.0")
        dataset = Dataset.objects.get(pid=f"10.5072/q:{index:03d}")
        Parameter.objects.create(dataset=dataset, name="energy", value=12.0, unit="keV")
        DatasetFile.objects.create(dataset=dataset, name=f"scan-{index}.nxs", size=1)
        run = Run.objects.create(
            version=version, owner=owner, dataset=dataset, state=RunState.COMPLETE
        )
        RunOutput.objects.create(run=run, name="profile.csv", size=1, sha256="0" * 64)
        RunEvent.objects.create(run=run, to_state=RunState.COMPLETE)
        definition = NexusDefinition.objects.create(name=f"NXq{index:03d}", category="application")
        NexusDefinitionMapping.objects.create(definition=definition.name, term=terms["saxs"])
        publication = Publication.objects.create(doi=f"10.5072/q.{index:03d}", title="Paper")
        PublicationAuthor.objects.create(publication=publication, position=1, name="A. Author")
        publication.datasets.add(dataset)
        publication.procedure_versions.add(version)
        result = PublishedResult.objects.create(
            publication=publication, label="Figure 1", version=version, dataset=dataset,
            output_name="profile.csv", sha256="0" * 64,
        )  # fmt: skip
        reproduction = Reproduction.objects.create(
            publication=publication, requested_by=owner, status=ReproductionStatus.REPRODUCED
        )
        ResultComparison.objects.create(
            reproduction=reproduction, result=result, run=run, status=ComparisonStatus.REPRODUCED
        )


def add_items(count: int, start: int, terms: dict, curator) -> None:
    """``count`` items of every list (see the functions above)."""
    add_procedures(count, start, curator)
    add_others(count, start, terms)
    add_runs_and_publications(count, start, terms, curator)


def page_queries(clients: dict) -> dict[tuple[str, str], tuple[int, int]]:
    """(page, role) → (queries, items) of every list as every role that reads it."""
    measured = {}
    for page, readers in LISTS.items():
        for role in readers:
            with CaptureQueriesContext(connection) as captured:
                response = clients[role].get(page)
            assert response.status_code == 200, (page, role, response.content[:300])
            body = response.json()
            items = body if isinstance(body, list) else body["results"]
            measured[page, role] = (len(captured.captured_queries), len(items))
    return measured


def test_list_queries_do_not_grow_with_the_page(terms, roles, client_as):
    clients = {role: client_as(roles[role]) for role in EVERYONE}
    add_items(10, 0, terms, roles["own_curator"])
    small = page_queries(clients)
    add_items(40, 10, terms, roles["own_curator"])
    large = page_queries(clients)
    short = {key: items for key, (_, items) in large.items() if items < 50}
    assert not short, f"pages of fewer than 50 items measure nothing: {short}"
    print("queries for a page of 50:", {f"{p} {r}": q for (p, r), (q, _) in large.items()})
    grew = {key: (small[key][0], large[key][0]) for key in large if large[key][0] > small[key][0]}
    assert not grew, f"queries grow with the page (10 items, 50 items): {grew}"
    over = {key: queries for key, (queries, _) in large.items() if queries > MAX_QUERIES}
    assert not over, f"more than {MAX_QUERIES} queries for a page of 50: {over}"
