"""Benchmark of the recommender: latency of the embedded (and Elasticsearch) backend at scale.

Run with ``.venv/bin/python bench/bench_recommender.py`` (own temporary SQLite database).
Builds a synthetic catalogue: a 3k-term ontology (a DAG, every fifth term with a second parent,
closure by ``ontologies.services.rebuild_closure()``), 10k procedures with published versions
(some with an older version and a draft) and 100k datasets, all by ``bulk_create``. Then asks
for recommendations for a few hundred random datasets and prints p50/p99 latency, queries per
recommendation, and the ratio to a baseline measured in the same run (one indexed query that
finds the candidate procedure ids). With ``ELASTICSEARCH_URL`` set it also rebuilds the
Elasticsearch index (documents/s), times that backend, compares its latency with the cluster's
own ``took`` query by query, and checks that both backends give the same top 5. Each backend
is timed twice: first from an empty hierarchy cache (as after an ontology change; for
Elasticsearch also the first pass over the new index), then the measured pass, then once more
as in a web worker (start-up objects frozen, ``config/wsgi.py``).

Free-text search (``backend.search`` and its first page of 20 rows) is timed for a few searches
a portal sends, from one matching the whole catalogue to a facility facet, against one query
for the ids of the procedures matched, with the objects of start-up frozen as in a web worker
(``config/wsgi.py``); the Elasticsearch answers are compared with the embedded ones (count,
first page, facets).

``took`` is whole milliseconds, rounded down (a 0.9 ms search says 0), so a ratio to it is
printed against ``took + 1 ms``, the most the cluster can have spent: the true ratio is at
least that. The absolute overhead (round trip minus ``took``) is printed too.
"""

import gc
import logging
import os
import random
import statistics
import tempfile
import time
from contextlib import contextmanager

from common import percentile, setup_django

TERMS = 3_000
PROCEDURES = 10_000
DATASETS = int(os.environ.get("BENCH_DATASETS", 100_000))
QUERIES = 300
K = 5
SEED = 11


def setup(workdir: str) -> None:
    """Django on a fresh database; signals must not sync anything while the catalogue is built."""
    setup_django(workdir, SEARCH_BACKEND="embedded", ELASTICSEARCH_INDEX_PREFIX="bench-recommender")
    logging.getLogger("elastic_transport").setLevel(logging.WARNING)  # one line per request


def build_ontology(rng: random.Random) -> list[int]:
    """``TERMS`` terms, fan-out 6, every fifth with a second parent; returns their ids."""
    from ontologies.models import Term, build_search_text
    from ontologies.services import rebuild_closure

    iri = "http://example.org/bench/T{:05d}".format
    Term.objects.bulk_create(
        [
            Term(
                iri=iri(i),
                label=f"technique {i}",
                synonyms=[f"tech{i}"],
                search_text=build_search_text(iri(i), f"technique {i}", [f"tech{i}"]),
            )
            for i in range(TERMS)
        ],  # fmt: skip
        batch_size=1000,
    )
    ids = dict(Term.objects.values_list("iri", "pk"))
    edges = []
    for i in range(1, TERMS):
        parents = {(i - 1) // 6}
        if i % 5 == 0 and i > 6:
            parents.add(rng.randrange(0, (i - 1) // 6 + 1))
        edges += [Term.parents.through(from_term_id=ids[iri(i)], to_term_id=ids[iri(p)])
                  for p in parents]  # fmt: skip
    Term.parents.through.objects.bulk_create(edges, batch_size=2000)
    rows = rebuild_closure()
    print(f"  closure rows: {rows:,}")
    return [ids[iri(i)] for i in range(TERMS)]


def build_procedures(rng: random.Random, term_ids: list[int]) -> None:
    """``PROCEDURES`` procedures on 1-2 techniques at 0-3 of 20 facilities, with versions."""
    from django.utils import timezone

    from registry.models import Facility, Procedure, ProcedureVersion, build_search_text

    facilities = Facility.objects.bulk_create(
        [Facility(slug=f"fac{i}", name=f"Facility {i}") for i in range(20)]
    )
    procedures = []
    for i in range(PROCEDURES):
        procedure = Procedure(
            slug=f"proc-{i:05d}", name=f"procedure {i}", summary=f"analysis number {i}",
            license="MIT", keywords=[f"kw{i % 50}"], status="published",
            successful_runs=rng.randrange(0, 100),
        )  # fmt: skip
        procedure.search_text = build_search_text(procedure)
        procedures.append(procedure)
    Procedure.objects.bulk_create(procedures, batch_size=1000)
    procedures = list(Procedure.objects.order_by("pk"))
    techniques, at, versions = [], [], []
    now = timezone.now()
    for procedure in procedures:
        for term_id in set(rng.sample(term_ids, rng.choice([1, 1, 2]))):
            techniques.append(Procedure.techniques.through(procedure=procedure, term_id=term_id))
        for facility in rng.sample(facilities, rng.randrange(0, 4)):
            at.append(Procedure.facilities.through(procedure=procedure, facility=facility))
        releases = ["1.0.0"] + (["1.1.0"] if rng.random() < 0.3 else [])
        for n, version in enumerate(releases):
            versions.append(version_row(procedure, version, "published", now, n))
        if rng.random() < 0.1:
            versions.append(version_row(procedure, "2.0.0-dev", "draft", None, 0))
    Procedure.techniques.through.objects.bulk_create(techniques, batch_size=2000)
    Procedure.facilities.through.objects.bulk_create(at, batch_size=2000)
    ProcedureVersion.objects.bulk_create(versions, batch_size=1000)
    print(f"  versions: {len(versions):,}")


def version_row(procedure, version: str, status: str, now, order: int):
    """An unsaved ProcedureVersion of ``procedure``."""
    from datetime import timedelta

    from registry.models import ProcedureVersion

    return ProcedureVersion(
        procedure=procedure, version=version, status=status, kind="notebook",
        code_repository="https://github.com/example/bench.git", code_commit="0" * 40,
        entry_point=f"{procedure.slug}/analysis.ipynb",
        container_image=f"ghcr.io/example/{procedure.slug}@sha256:{'0' * 64}",
        required_nexus=["NXentry/NXinstrument/NXdetector"] if procedure.pk % 3 == 0 else [],
        published_at=now - timedelta(days=30 - order) if now else None,
    )  # fmt: skip


def build_datasets(rng: random.Random, term_ids: list[int]) -> None:
    """``DATASETS`` datasets with 1-2 techniques (every other with a small NeXus summary)."""
    from datasets.models import Dataset

    summary = {"path": "x.nxs", "file_size": 1, "groups": {"/entry": "NXentry",
               "/entry/instrument": "NXinstrument"}}  # fmt: skip
    for start in range(0, DATASETS, 10_000):
        Dataset.objects.bulk_create(
            [Dataset(pid=f"bench/{i:06d}", title=f"dataset {i}",
                     summary=summary if i % 2 else {}) for i in range(start, start + 10_000)],
            batch_size=2000,
        )  # fmt: skip
    through = Dataset.techniques.through
    for start in range(0, DATASETS, 20_000):
        pks = Dataset.objects.order_by("pk").values_list("pk", flat=True)[start : start + 20_000]
        rows = [
            through(dataset_id=pk, term_id=term_id)
            for pk in pks
            for term_id in set(rng.sample(term_ids, rng.choice([1, 1, 2])))
        ]
        through.objects.bulk_create(rows, batch_size=5000)


def measure(function, queries: list) -> dict:
    """Latencies (ms) and queries per call of ``function(query)`` over ``queries``."""
    from django.db import connection, reset_queries

    function(queries[0])  # warm-up
    times, counts = [], []
    for query in queries:
        reset_queries()
        start = time.perf_counter()
        function(query)
        times.append((time.perf_counter() - start) * 1000)
        counts.append(len(connection.queries))
    return {
        "p50": statistics.median(times),
        "p99": percentile(times, 0.99),
        "mean": statistics.fmean(times),
        "queries": statistics.fmean(counts),
        "times": times,
    }


def baseline(query) -> list[int]:
    """The least any backend must do: one indexed query for the candidate procedure ids."""
    from django.db.models import Q

    from ontologies.models import TermClosure
    from registry.models import Procedure

    keys = list(query.techniques)
    related = TermClosure.objects.filter(
        Q(descendant__iri__in=keys) | Q(ancestor__iri__in=keys)
    ).values("ancestor_id")
    return list(
        Procedure.techniques.through.objects.filter(term_id__in=related).values_list(
            "procedure_id", flat=True
        )
    )


def report(name: str, figures: dict) -> None:
    """Print one row of figures."""
    print(
        f"  {name:28s} p50 {figures['p50']:7.2f} ms  p99 {figures['p99']:7.2f} ms  "
        f"mean {figures['mean']:7.2f} ms  queries/call {figures['queries']:5.1f}"
    )


def bench_elasticsearch(queries: list, embedded_top: dict, embedded_search: dict) -> None:
    """Rebuild the index, time the Elasticsearch backend, compare with ``took`` and embedded."""
    from django.conf import settings

    from recommender import search_index
    from recommender.backends.elasticsearch import ElasticsearchBackend
    from recommender.documents import alias_name

    settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
    result = search_index.rebuild()
    print(f"  index rebuild: {result['documents']:,} documents in {result['seconds']:.1f} s "
          f"({result['documents'] / result['seconds']:,.0f} docs/s)")  # fmt: skip
    calls: list[list[tuple[float, int]]] = []  # per recommendation: (round trip, took) each
    client = search_index.client()
    raw_search = client.search

    def timed_search(*args, **kwargs):
        start = time.perf_counter()
        response = raw_search(*args, **kwargs)
        calls[-1].append(((time.perf_counter() - start) * 1000, response["took"]))
        return response

    def recommend(query):
        calls.append([])
        return backend.recommend(query, K)

    client.search = timed_search
    backend = ElasticsearchBackend()
    try:
        cold_cache()
        report("elasticsearch, first pass", measure(recommend, queries))  # new index, empty cache
        calls.clear()
        figures = measure(recommend, queries)
        assert len(calls) == len(queries) + 1, "the warm-up and one call per query"
        measured = [list(c) for c in calls[1:]]  # not the warm-up, nor the top-5 check
        report("elasticsearch recommend", figures)
        same = sum(top(backend, q) == embedded_top[id(q)] for q in queries)
        del client.search
        with worker_state():
            report(
                "elasticsearch, as a web worker",
                measure(lambda q: backend.recommend(q, K), queries),
            )
        searched = bench_search(backend)
        agree = sum(searched[label] == embedded_search[label] for label in searched)
        print(f"  same search answers as embedded (count, first page, facets): "
              f"{agree}/{len(searched)}")  # fmt: skip
        floor = []  # the least a search costs: match_all, size 0, on the same index
        for _ in range(len(queries)):
            start = time.perf_counter()
            response = client.search(index=alias_name(), size=0, track_total_hits=False)
            floor.append(((time.perf_counter() - start) * 1000, response["took"]))
    finally:
        client.__dict__.pop("search", None)
        for name in client.indices.get(index="bench-recommender-*"):
            client.indices.delete(index=name)
    # took summed over the searches of one recommendation; +1 ms for each (rounded down).
    took = [sum(k for _, k in searches) for searches in measured]
    ceiling = [sum(k + 1 for _, k in searches) for searches in measured]
    roundtrip = [sum(t for t, _ in searches) for searches in measured]
    second = sum(len(searches) > 1 for searches in measured)
    print(f"  searches per recommendation: mean {statistics.fmean(map(len, measured)):.2f} "
          f"({second} of {len(measured)} read past the first window)")  # fmt: skip
    print(f"  floor: match_all size 0 round trip p50 {statistics.median(t for t, _ in floor):.2f} ms, "
          f"took mean {statistics.fmean(k for _, k in floor):.2f} ms")  # fmt: skip
    per_query("floor round trip / (took + 1)", [t / (k + 1) for t, k in floor])
    print(f"  ES took p50 {statistics.median(took):.0f} ms, p99 {percentile(took, 0.99):.0f} ms, "
          f"mean {statistics.fmean(took):.2f} ms (whole ms, rounded down)")  # fmt: skip
    print(f"  search round trips p50 {statistics.median(roundtrip):.2f} ms, "
          f"p99 {percentile(roundtrip, 0.99):.2f} ms")  # fmt: skip
    mean_took = statistics.fmean(took)
    print(f"  mean round trip / mean took: {statistics.fmean(roundtrip):.2f} / {mean_took:.2f} ms"
          f" = {statistics.fmean(roundtrip) / mean_took if mean_took else float('inf'):.2f}"
          " (rounding down averages out over many searches)")  # fmt: skip
    per_query("round trip - took (ms)", [t - k for t, k in zip(roundtrip, took, strict=True)])
    per_query("round trip / (took + 1)", [t / c for t, c in zip(roundtrip, ceiling, strict=True)])
    whole = [t / c for t, c in zip(figures["times"], ceiling, strict=True)]
    per_query("whole recommend / (took + 1)", whole)
    outside = [t - r for t, r in zip(figures["times"], roundtrip, strict=True)]
    per_query("whole recommend - round trips (ms)", outside)
    per_query(
        "whole recommend / took", [t / k for t, k in zip(figures["times"], took, strict=True) if k]
    )
    print(f"  same top {K} as embedded: {same}/{len(queries)}")


# Searches a portal sends: everything, a word every procedure holds, a keyword, a technique
# facet high in the tree (every term below it counts), a facility facet.
SEARCHES = [
    ("everything", "", {}),
    ("common word", "analysis", {}),
    ("keyword", "kw7", {}),
    ("technique facet", "", {"technique": "http://example.org/bench/T00001"}),
    ("facility facet", "", {"facility": "fac3"}),
]
SEARCH_REPEATS = 7


def bench_search(backend) -> dict:
    """Time ``backend.search`` and its first API page (20 rows) for each of ``SEARCHES``;
    print p50 and the ratio to a baseline (one query for the ids of every procedure matched,
    as the embedded backend matches). Returns each search's answer: count, first page, facets."""
    from django.test.utils import override_settings

    from recommender.backends.embedded import EmbeddedBackend

    answers = {}
    with worker_state(), override_settings(DEBUG=False):  # no query log: it quotes parameters
        for label, text, facets in SEARCHES:
            answers[label] = search_figures(backend, EmbeddedBackend(), label, text, facets)
    return answers


@contextmanager
def worker_state():
    """The objects built so far exempt from garbage collection, as each web worker freezes
    what its start-up built (config/wsgi.py); undone afterwards."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def search_figures(backend, embedded, label: str, text: str, facets: dict) -> tuple:
    """Time one search (p50 of ``SEARCH_REPEATS``) against its baseline; print a row; return
    the answer's count, first page and facets."""
    from recommender.searching import query_tokens

    matched = embedded.matching_procedures(query_tokens(text), facets)
    base = [timed(lambda: list(matched.values_list("pk", flat=True)))
            for _ in range(SEARCH_REPEATS)]  # fmt: skip
    times = []
    for _ in range(SEARCH_REPEATS):
        start = time.perf_counter()
        answer = backend.search(text, facets)
        page = answer["results"][:20]
        times.append((time.perf_counter() - start) * 1000)
    p50, base_p50 = statistics.median(times), statistics.median(base)
    print(f"  {backend.name} search, {label:16s} p50 {p50:7.1f} ms  "
          f"({len(answer['results']):,} results; baseline {base_p50:5.1f} ms, "
          f"{p50 / base_p50:4.1f}x)")  # fmt: skip
    return len(answer["results"]), page, answer["facets"]


def timed(function) -> float:
    """Milliseconds one call of ``function`` takes."""
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000


def cold_cache() -> None:
    """Empty the process's hierarchy cache, as after a change of the ontology: the next pass
    reads every query's terms and closure links from the database once."""
    from recommender.hierarchy_cache import hierarchy

    hierarchy.start_afresh()


def per_query(label: str, values: list[float]) -> None:
    """Print the p50 and p99 of one figure computed query by query."""
    print(
        f"  {label:32s} p50 {statistics.median(values):6.2f}  p99 {percentile(values, 0.99):6.2f}"
    )


def top(backend, query) -> list[str]:
    """Slugs of the top ``K`` recommendations."""
    return [r.procedure_version.procedure.slug for r in backend.recommend(query, K)]


def timed_step(label: str, function, *args):
    """Run one set-up step, print how long it took, return its result."""
    start = time.perf_counter()
    result = function(*args)
    print(f"  {label}: {time.perf_counter() - start:.1f} s")
    return result


def main() -> None:
    """Build the catalogue, then measure."""
    with tempfile.TemporaryDirectory(prefix="bench-recommender-") as workdir:
        setup(workdir)
        from datasets.models import Dataset
        from recommender.backends.embedded import EmbeddedBackend
        from recommender.query import RecommendationQuery

        rng = random.Random(SEED)
        print(f"Building {TERMS:,} terms, {PROCEDURES:,} procedures, {DATASETS:,} datasets")
        term_ids = timed_step("ontology", build_ontology, rng)
        timed_step("procedures", build_procedures, rng, term_ids)
        timed_step("datasets", build_datasets, rng, term_ids)
        pids = [f"bench/{rng.randrange(DATASETS):06d}" for _ in range(QUERIES)]
        datasets = Dataset.objects.filter(pid__in=pids).prefetch_related("techniques")
        queries = [RecommendationQuery.from_dataset(d) for d in datasets]
        print(f"Recommending for {len(queries)} random datasets, k={K}")
        embedded = EmbeddedBackend()
        base = measure(baseline, queries)
        report("baseline (candidate ids)", base)
        cold_cache()
        report("embedded, cold cache", measure(lambda q: embedded.recommend(q, K), queries))
        figures = measure(lambda q: embedded.recommend(q, K), queries)
        report("embedded recommend", figures)
        with worker_state():
            report(
                "embedded, as a web worker", measure(lambda q: embedded.recommend(q, K), queries)
            )
        print(f"  embedded / baseline p50: {figures['p50'] / base['p50']:.1f}")
        counts = [len(baseline(q)) for q in queries]
        print(f"  candidates per query: median {statistics.median(counts):.0f}, "
              f"max {max(counts)}")  # fmt: skip
        embedded_top = {id(q): top(embedded, q) for q in queries}
        embedded_search = bench_search(embedded)
        if os.environ.get("ELASTICSEARCH_URL"):
            bench_elasticsearch(queries, embedded_top, embedded_search)
        else:
            print("ELASTICSEARCH_URL not set: Elasticsearch backend not measured.")


if __name__ == "__main__":
    main()
