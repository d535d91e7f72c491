"""Demo publications from ``fixtures/publications/`` (said to be demo; DOIs under 10.5072)."""

from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from datasets.demo import demo_dataset_pid, ensure_demo_datasets
from publications.models import Publication

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "publications"


def demo_files(directory: Path = FIXTURES) -> list[Path]:
    """The demo publication files."""
    return sorted(directory.glob("*.yaml"))


def results_of(document: dict, directory: Path) -> list[dict]:
    """The ``results`` entries of a demo file, with datasets as PIDs and values read in."""
    entries = []
    for item in document["results"]:
        entry = {k: v for k, v in item.items() if k not in ("example", "expected")}
        entry["dataset"] = demo_dataset_pid(item["example"])
        if item.get("expected"):
            expected = directory / item["expected"]
            entry.update(expected_name=expected.name, expected_text=expected.read_text())
        entries.append(entry)
    return entries


def load_demo_publications(directory: Path = FIXTURES) -> dict:
    """Create or update the demo publications and the example datasets they need (idempotent).

    Needs the demo procedures (``registry.demo.load_procedures``); returns created/updated counts.
    """
    from publications.services import link_results, save_record

    documents = [(path, yaml.safe_load(path.read_text())) for path in demo_files(directory)]
    ensure_demo_datasets({item["example"] for _, doc in documents for item in doc["results"]})
    counts = {"created": 0, "updated": 0}
    with transaction.atomic():
        for path, document in documents:
            publication, created = save_record(document["record"], is_demo=True)
            link_results(publication, results_of(document, path.parent))
            counts["created" if created else "updated"] += 1
    return counts


def demo_publications():
    """The demo publications stored."""
    return Publication.objects.filter(is_demo=True)


def reproduce_demo_publications(by) -> dict:
    """Start a reproduction of each demo publication that has none yet, without waiting.

    The runs go to the task queue (with the demo's worker they finish within a minute); the
    publication pages then show each verdict, ``differs`` included. Returns how many started.
    """
    from publications.reproduction import reproduce

    started = 0
    for publication in demo_publications().filter(reproductions__isnull=True):
        reproduce(publication, by, wait_seconds=0)
        started += 1
    return {"reproductions started": started}
