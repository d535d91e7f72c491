"""Benchmark of the ontologies app: PaNET import, and hierarchy lookups at 1k and 10k terms.

Run with ``.venv/bin/python bench/bench_ontology.py``. Uses its own temporary SQLite database.
Prints figures and the 10k/1k ratio of per-lookup cost (close to 1 means size does not matter).
"""

import os
import random
import tempfile
import time
from pathlib import Path

from common import PROJECT_DIR, setup_django

SHARED_DIR = Path(os.environ.get("SHARED_DIR", PROJECT_DIR.parent / "shared"))
LOOKUPS = 300


def timed(function, *args, **kwargs):
    """Run ``function`` once; return its result and the seconds it took."""
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def synthetic_records(size: int, seed: int = 7):
    """A DAG of ``size`` terms: fan-out 6, and every fifth term has a second parent."""
    from ontologies.services import TermRecord

    rng = random.Random(seed)
    iri = "http://example.org/bench/T{}".format
    records = []
    for index in range(size):
        parents = []
        if index:
            parents.append(iri((index - 1) // 6))
            if index % 5 == 0 and index > 6:
                parents.append(iri(rng.randrange(0, (index - 1) // 6 + 1)))
        records.append(TermRecord(iri=iri(index), label=f"term {index}", parents=tuple(parents)))
    return records


def lookup_cost(term_ids: list[int]) -> dict[str, float]:
    """Mean microseconds and queries per lookup over ``LOOKUPS`` random terms."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from ontologies import services

    rng = random.Random(1)
    sample = [rng.choice(term_ids) for _ in range(LOOKUPS)]
    figures = {}
    for name, function in [
        ("ancestor_distances", services.ancestor_distances),
        ("descendant_distances", services.descendant_distances),
        ("ancestor_ids", lambda pk: services.ancestor_ids([pk])),
    ]:
        reset_queries()  # the log keeps 9,000 queries: a full one would count none
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            for pk in sample:
                function(pk)
            elapsed = time.perf_counter() - start
        figures[name] = elapsed / LOOKUPS * 1e6
        figures[name + " queries"] = len(queries) / LOOKUPS
    return figures


def bench_synthetic(size: int) -> dict[str, float]:
    """Import a synthetic ontology of ``size`` terms and measure lookups on it."""
    from django.db.models import Count

    from ontologies.models import NexusDefinitionMapping, Term, TermClosure
    from ontologies.services import apply_ontology

    NexusDefinitionMapping.objects.all().delete()
    Term.objects.all().delete()
    _, seconds = timed(apply_ontology, synthetic_records(size), name=f"bench{size}")
    # Lookups on leaves (no children): their ancestor and descendant sets are alike in size
    # whatever the size of the ontology, so any growth would come from the lookup itself.
    leaves = list(Term.objects.filter(children__isnull=True).values_list("pk", flat=True))
    lookup_cost(leaves)  # warm the caches
    figures = lookup_cost(leaves)
    # Descendant lookups on inner terms whose subtree has the same size at both ontology sizes
    # (two levels of fan-out 6: about 43 terms), so the answer is not trivially one row.
    inner = list(
        TermClosure.objects.values("ancestor")
        .annotate(subtree=Count("descendant"))
        .filter(subtree__range=(30, 60))
        .values_list("ancestor", flat=True)
    )
    subtree_figures = lookup_cost(inner)
    figures["descendant_distances (subtrees of 30-60)"] = subtree_figures["descendant_distances"]
    figures["import s"] = seconds
    figures["closure rows"] = TermClosure.objects.count()
    return figures


def main() -> None:
    """Run every measurement and print the table."""
    with tempfile.TemporaryDirectory() as workdir:
        setup_django(workdir)
        from ontologies.models import Term
        from ontologies.rdf import KNOWN_PREFIXES, read_ontology
        from ontologies.services import apply_ontology, load_snapshot

        owl = SHARED_DIR / "ontologies" / "PaNET.owl"
        if owl.exists():
            (records, checksum), parse_s = timed(
                read_ontology, str(owl), iri_prefix=KNOWN_PREFIXES["panet"]
            )
            _, store_s = timed(apply_ontology, records, source=str(owl), checksum=checksum)
            print(
                f"PaNET.owl import: parse {parse_s:.3f} s + store {store_s:.3f} s "
                f"({len(records)} terms)"
            )
        else:
            print(f"PaNET.owl not found at {owl}: import not measured")
        Term.objects.all().delete()
        _, snapshot_s = timed(load_snapshot)
        print(f"load_snapshot (fresh install, with NeXus mapping): {snapshot_s:.3f} s")

        small, large = bench_synthetic(1_000), bench_synthetic(10_000)
        print(f"\n{'measure':<32}{'1k terms':>12}{'10k terms':>12}{'ratio':>8}")
        for key in small:
            ratio = large[key] / small[key] if small[key] else float("nan")
            print(f"{key:<32}{small[key]:>12.2f}{large[key]:>12.2f}{ratio:>8.2f}")
        print("(lookup rows in microseconds per lookup; ratio = 10k / 1k)")


if __name__ == "__main__":
    main()
