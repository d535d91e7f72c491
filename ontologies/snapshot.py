"""The compact offline snapshot of an ontology: facts only (IRI, label, synonyms, parents)."""

from __future__ import annotations

import json
from pathlib import Path

from ontologies.services import TermRecord

SNAPSHOT_FORMAT = 1


def snapshot_document(records: list[TermRecord], *, name: str, source: str, checksum: str) -> dict:
    """The snapshot as a dict; definitions are left out on purpose (facts only, small file)."""
    terms = []
    for record in sorted(records, key=lambda r: r.iri):
        item = {"iri": record.iri, "label": record.label}
        if record.synonyms:
            item["synonyms"] = list(record.synonyms)
        if record.parents:
            item["parents"] = list(record.parents)
        if record.obsolete:
            item["obsolete"] = True
        terms.append(item)
    return {
        "format": SNAPSHOT_FORMAT,
        "name": name,
        "source": source,
        "checksum": checksum,
        "term_count": len(terms),
        "terms": terms,
    }


def write_snapshot(
    records: list[TermRecord], output: Path, *, name: str, source: str, checksum: str
) -> Path:
    """Write the snapshot with one term per line, so that diffs between versions stay readable."""
    document = snapshot_document(records, name=name, source=source, checksum=checksum)
    terms = document.pop("terms")
    head = json.dumps(document, ensure_ascii=False)[:-1]
    lines = ",\n".join(json.dumps(term, ensure_ascii=False, sort_keys=False) for term in terms)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(f'{head}, "terms": [\n{lines}\n]}}\n', encoding="utf-8")
    return output
