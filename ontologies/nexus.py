"""NeXus application definitions: the NXDL → technique mapping and the NXDL reader."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from config.api.errors import DomainError
from ontologies.models import NexusDefinitionMapping, Term

MAPPING_PATH = Path(__file__).resolve().parent / "data" / "nexus_mapping.yaml"
NXDL_SNAPSHOT_PATH = Path(__file__).resolve().parent / "data" / "nxdl_requirements.json"


def read_nexus_mapping(path: str | Path | None = None) -> dict:
    """Parse the mapping file: ``{"definitions": {NXname: [{"iri", "confidence", "note"}]}}``."""
    path = Path(path or MAPPING_PATH)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DomainError(f"Cannot read the NeXus mapping {path}: {exc}") from exc
    if not isinstance(data.get("definitions"), dict):
        raise DomainError(f"{path}: expected a 'definitions' mapping of NXDL names.")
    return data


def entry_iri(entry: dict, base: str) -> str:
    """IRI of a mapping entry: ``iri`` as written, or ``term`` (a short id) under ``base``."""
    if "iri" in entry:
        return entry["iri"]
    return base + entry["term"]


def mapped_definitions(path: str | Path | None = None) -> dict[str, list[tuple[str, float]]]:
    """The mapping file as ``{NXname: [(iri, confidence), ...]}``, without touching the database."""
    data = read_nexus_mapping(path)
    base = data.get("base", "")
    return {
        name: [(entry_iri(e, base), float(e.get("confidence", 1.0))) for e in entries or []]
        for name, entries in data["definitions"].items()
    }


def terms_for_definitions(names) -> list[NexusDefinitionMapping]:
    """Stored mappings of the given NXDL names (case-insensitive), most confident first."""
    wanted = {name.strip().lower() for name in names if name and name.strip()}
    rows = NexusDefinitionMapping.objects.select_related("term").order_by("-confidence")
    return [row for row in rows if row.definition.lower() in wanted]


def load_nexus_mapping(path: str | Path | None = None) -> int:
    """Store the mapping file in :class:`NexusDefinitionMapping`; return how many rows it holds.

    Idempotent: rows are created or updated by (definition, term). Rows added by hand in the
    admin are kept. Entries whose term is not loaded are skipped.
    """
    data = read_nexus_mapping(path)
    term_of = dict(Term.objects.values_list("iri", "pk"))
    stored = 0
    with transaction.atomic():
        for definition, entries in data["definitions"].items():
            for entry in entries or []:
                term_id = term_of.get(entry_iri(entry, data.get("base", "")))
                if term_id is None:
                    continue
                NexusDefinitionMapping.objects.update_or_create(
                    definition=definition,
                    term_id=term_id,
                    defaults={
                        "confidence": float(entry.get("confidence", 1.0)),
                        "note": entry.get("note", ""),
                    },
                )
                stored += 1
    return stored


def store_nxdl_definitions(definitions, keep_imported: bool = False) -> dict[str, int]:
    """Create or update :class:`NexusDefinition` rows from parsed NXDL definitions (atomic).

    With ``keep_imported``, rows that ``import_nxdl`` read from real NXDL files are left as they
    are (they carry more than a snapshot: summaries, sources, checksums).
    """
    from ontologies.models import NexusDefinition

    counts = {"added": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        stored = {d.name: d for d in NexusDefinition.objects.all()}
        for parsed in definitions:
            values = {
                "category": parsed.category,
                "contributed": parsed.contributed,
                "extends": parsed.extends,
                "summary": parsed.summary,
                "required_groups": parsed.required_groups,
                "required_fields": parsed.required_fields,
                "source": parsed.source,
                "checksum": parsed.checksum,
            }
            current = stored.get(parsed.name)
            if keep_imported and current and not current.source.startswith("snapshot:"):
                counts["unchanged"] += 1
                continue
            if current is None:
                NexusDefinition.objects.create(name=parsed.name, **values)
                counts["added"] += 1
            elif any(getattr(current, key) != value for key, value in values.items()):
                NexusDefinition.objects.filter(pk=current.pk).update(**values)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
    return counts


def load_nxdl_snapshot(path: str | Path | None = None) -> dict[str, int]:
    """Store the requirements of the shipped NXDL snapshot; rows imported from files are kept."""
    from ontologies.nxdl import read_nxdl_snapshot

    return store_nxdl_definitions(
        read_nxdl_snapshot(Path(path or NXDL_SNAPSHOT_PATH)), keep_imported=True
    )
