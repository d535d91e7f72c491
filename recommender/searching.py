"""Shared parts of free-text search: result rows and facet counts over versions."""

from __future__ import annotations

from collections import Counter

from recommender.scoring import tokenize
from registry.models import ProcedureVersion

FACETS = ("technique", "facility", "kind")


def search_row(version: ProcedureVersion, score: float) -> dict:
    """One search result: the procedure, its latest published version, its score."""
    procedure = version.procedure
    return {
        "procedure": procedure.slug,
        "name": procedure.name,
        "summary": procedure.summary,
        "version": version.version,
        "kind": version.kind,
        "techniques": sorted(t.iri for t in procedure.techniques.all()),
        "facilities": sorted(f.slug for f in procedure.facilities.all()),
        "score": round(score, 6),
    }


def facet_counts(rows: list[dict], labels: dict[str, str]) -> dict[str, list[dict]]:
    """Counts of results per technique, facility and kind, most frequent first."""
    counters = {name: Counter() for name in FACETS}
    for row in rows:
        counters["technique"].update(row["techniques"])
        counters["facility"].update(row["facilities"])
        counters["kind"][row["kind"]] += 1
    return {
        name: [
            {"value": value, "label": labels.get(value, value), "count": count}
            for value, count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        ]
        for name, counter in counters.items()
    }


def query_tokens(text: str) -> list[str]:
    """The words of a search text, sorted."""
    return sorted(tokenize(text or ""))
