"""A full, versioned, lossless export of the registry as JSON files, and its import.

The export directory holds ``ontology.json`` (the ontology version and the terms in use, with
their ancestors), ``nexus_mappings.json``, ``facilities.json`` (with instruments and curators by
username), ``resources.json``, ``nexus_definitions.json`` (the NXDL definitions with their required groups
and fields), ``procedures.json`` (each procedure as a manifest plus what a
manifest does not carry: status, popularity, timestamps, authors) and ``manifest.json`` naming
the format, its version and the SHA-256 of every file. Import checks all of that first and then
writes everything in one transaction: on any error nothing is written. ``nexus_definitions.json``
came later within format version 1: an export without it still imports.
"""

import hashlib
import json
from datetime import datetime
from pathlib import Path, PurePosixPath

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from config.api.errors import DomainError
from ontologies.models import (
    NexusDefinition,
    NexusDefinitionMapping,
    OntologyVersion,
    Term,
    TermClosure,
)
from ontologies.services import rebuild_closure
from registry import services
from registry.choices import ProcedureStatus
from registry.interop.registration import register_with_history
from registry.models import Facility, Instrument, Procedure, ProcedureVersion, Resource

FORMAT = "analysis-registry-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES = (
    "ontology.json",
    "nexus_mappings.json",
    "facilities.json",
    "resources.json",
    "procedures.json",
)
OPTIONAL_FILES = ("nexus_definitions.json",)
NEXUS_DEFINITION_FIELDS = (
    "name",
    "category",
    "contributed",
    "extends",
    "summary",
    "required_groups",
    "required_fields",
    "source",
    "checksum",
)
MAX_FILE_BYTES = 200 * 1024 * 1024


class ExportError(DomainError):
    """An export cannot be read or imported; the message says why, in one line."""

    code = "invalid_export"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _username(user) -> str | None:
    return user.username if user else None


# --- export ----------------------------------------------------------------------------------


def collect(progress: bool = False) -> dict[str, object]:
    """Every exported document, by file name (``progress``: a bar over the procedures)."""
    procedures = Procedure.objects.order_by("slug")
    bar = tqdm(procedures, total=procedures.count(), desc="procedures", unit="procedure",
               disable=not progress)  # fmt: skip
    return {
        "ontology.json": _ontology(),
        "nexus_mappings.json": [
            {
                "definition": m.definition,
                "term": m.term.iri,
                "confidence": m.confidence,
                "note": m.note,
            }
            for m in NexusDefinitionMapping.objects.select_related("term").order_by("pk")
        ],
        "facilities.json": [_facility(f) for f in Facility.objects.order_by("slug")],
        "resources.json": [_resource(r) for r in Resource.objects.order_by("pk")],
        "nexus_definitions.json": [
            {"id": d.pk, **{key: getattr(d, key) for key in NEXUS_DEFINITION_FIELDS}}
            for d in NexusDefinition.objects.order_by("name")
        ],
        "procedures.json": [_procedure(p) for p in bar],
    }


def _terms_in_use() -> set[int]:
    used = set(
        Term.objects.filter(
            Q(procedures__isnull=False)
            | Q(resources__isnull=False)
            | Q(instruments__isnull=False)
            | Q(nexus_mappings__isnull=False)
        ).values_list("pk", flat=True)
    )
    ancestors = TermClosure.objects.filter(descendant_id__in=used).values_list(
        "ancestor_id", flat=True
    )
    return used | set(ancestors)


def _ontology() -> dict:
    version = OntologyVersion.objects.order_by("-imported_at", "-pk").first()
    ids = _terms_in_use()
    terms = Term.objects.filter(pk__in=ids).prefetch_related("parents").order_by("iri")
    fields = (
        "name",
        "source",
        "checksum",
        "term_count",
        "added",
        "updated",
        "obsoleted",
        "unchanged",
    )
    return {
        "version": (
            {**{f: getattr(version, f) for f in fields}, "imported_at": _iso(version.imported_at)}
            if version
            else None
        ),
        "terms": [
            {
                "id": t.pk,
                "iri": t.iri,
                "label": t.label,
                "synonyms": t.synonyms,
                "definition": t.definition,
                "obsolete": t.obsolete,
                "ontology": t.ontology,
                "parents": sorted(p.iri for p in t.parents.all() if p.pk in ids),
            }
            for t in terms
        ],
    }


def _facility(facility: Facility) -> dict:
    return {
        "slug": facility.slug,
        "name": facility.name,
        "short_name": facility.short_name,
        "url": facility.url,
        "country": facility.country,
        "description": facility.description,
        "curators": sorted(facility.curators.values_list("username", flat=True)),
        "instruments": [
            {
                "id": i.pk,
                "slug": i.slug,
                "name": i.name,
                "url": i.url,
                "description": i.description,
                "techniques": sorted(i.techniques.values_list("iri", flat=True)),
            }
            for i in facility.instruments.order_by("pk")
        ],
    }


def _resource(resource: Resource) -> dict:
    return {
        "id": resource.pk,
        "kind": resource.kind,
        "title": resource.title,
        "url": resource.url,
        "description": resource.description,
        "techniques": sorted(resource.techniques.values_list("iri", flat=True)),
        "procedures": sorted(resource.procedures.values_list("slug", flat=True)),
        "facility": resource.facility.slug if resource.facility else None,
        "created_at": _iso(resource.created_at),
        "created_by": _username(resource.created_by),
    }


def _procedure(procedure: Procedure) -> dict:
    versions = procedure.versions.order_by("created_at", "pk")
    return {
        "manifest": services.procedure_to_manifest(procedure),
        "status": procedure.status,
        "successful_runs": procedure.successful_runs,
        "created_at": _iso(procedure.created_at),
        "updated_at": _iso(procedure.updated_at),
        "created_by": _username(procedure.created_by),
        "versions": {
            v.version: {
                "created_at": _iso(v.created_at),
                "published_at": _iso(v.published_at),
                "created_by": _username(v.created_by),
            }
            for v in versions
        },
    }


def export_registry(directory: Path, progress: bool = False) -> dict:
    """Write the export into ``directory`` (created if needed); return its manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, document in collect(progress).items():
        data = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False).encode()
        (directory / name).write_bytes(data)
        files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "files": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


# --- import ----------------------------------------------------------------------------------


def read_export(directory: Path) -> dict[str, object]:
    """Check format, version, names and checksums; return the documents. ExportError if bad."""
    manifest = _load(directory / MANIFEST, MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ExportError(f"{MANIFEST} does not describe an {FORMAT}.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ExportError(
            f"Unknown export format version {manifest.get('format_version')!r} "
            f"(this registry reads version {FORMAT_VERSION})."
        )
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        raise ExportError(f"{MANIFEST} lists no files.")
    for name in listed:
        path = PurePosixPath(name)
        if len(path.parts) != 1 or name in ("..", ".") or "\\" in name or name.startswith("/"):
            raise ExportError(f"Unsafe file name in {MANIFEST}: {name!r}.")
    missing = [name for name in FILES if name not in listed]
    if missing:
        raise ExportError(f"{MANIFEST} does not list {', '.join(missing)}.")
    documents = {}
    for name in (*FILES, *(name for name in OPTIONAL_FILES if name in listed)):
        data = _read_bytes(directory / name, name)
        expected = str((listed[name] or {}).get("sha256", ""))
        if hashlib.sha256(data).hexdigest() != expected:
            raise ExportError(f"Checksum mismatch for {name}: the export was changed or damaged.")
        documents[name] = _parse(data, name)
    return documents


def _read_bytes(path: Path, name: str) -> bytes:
    if not path.is_file():
        raise ExportError(f"Missing file {name} in the export.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ExportError(f"{name} is larger than {MAX_FILE_BYTES // 2**20} MiB.")
    return path.read_bytes()


def _parse(data: bytes, name: str):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ExportError(f"{name} is not valid JSON: {exc}") from None


def _load(path: Path, name: str):
    return _parse(_read_bytes(path, name), name)


def import_registry(directory: Path, progress: bool = False) -> dict[str, int]:
    """Import an export (checked first); all in one transaction. Returns counts."""
    documents = read_export(directory)
    try:
        with transaction.atomic():
            counts = _apply(documents, progress)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ExportError(f"The export is malformed: {type(exc).__name__}: {exc}") from None
    return counts


def _apply(documents: dict, progress: bool = False) -> dict[str, int]:
    users = {u.username: u for u in get_user_model().objects.all()}
    _import_terms(documents["ontology.json"])
    for item in documents["nexus_mappings.json"]:
        NexusDefinitionMapping.objects.update_or_create(
            definition=item["definition"],
            term=Term.objects.get(iri=item["term"]),
            defaults={"confidence": item["confidence"], "note": item.get("note", "")},
        )
    for item in documents.get("nexus_definitions.json", []):
        values = {key: item[key] for key in NEXUS_DEFINITION_FIELDS if key != "name"}
        if not NexusDefinition.objects.filter(name=item["name"]).update(**values):
            NexusDefinition.objects.create(
                pk=_free_id(NexusDefinition, item.get("id")), name=item["name"], **values
            )
    for item in documents["facilities.json"]:
        _import_facility(item, users)
    for item in documents["resources.json"]:
        _import_resource(item, users)
    procedures = documents["procedures.json"]
    ordered = sorted(procedures, key=_first_created)
    for item in tqdm(ordered, desc="procedures", unit="procedure", disable=not progress):
        _import_procedure(item, users)
    for item in documents["resources.json"]:
        resource = Resource.objects.get(kind=item["kind"], url=item["url"])
        resource.procedures.set(Procedure.objects.filter(slug__in=item["procedures"]))
    _reset_sequences()
    return {
        "terms": len(documents["ontology.json"]["terms"]),
        "facilities": len(documents["facilities.json"]),
        "resources": len(documents["resources.json"]),
        "procedures": len(procedures),
    }


def _first_created(item: dict) -> str:
    return min((v["created_at"] or "" for v in item["versions"].values()), default="")


def _import_terms(ontology: dict) -> None:
    for item in ontology["terms"]:
        fields = {k: item[k] for k in ("label", "synonyms", "definition", "obsolete", "ontology")}
        if not Term.objects.filter(iri=item["iri"]).exists():
            Term.objects.create(pk=_free_id(Term, item.get("id")), iri=item["iri"], **fields)
    for item in ontology["terms"]:
        term = Term.objects.get(iri=item["iri"])
        term.parents.add(*Term.objects.filter(iri__in=item["parents"]))
    rebuild_closure()
    version = ontology.get("version")
    if (
        version
        and not OntologyVersion.objects.filter(
            name=version["name"], checksum=version["checksum"]
        ).exists()
    ):
        fields = {k: v for k, v in version.items() if k != "imported_at"}
        created = OntologyVersion.objects.create(**fields)
        OntologyVersion.objects.filter(pk=created.pk).update(
            imported_at=version["imported_at"] or created.imported_at
        )


def _import_facility(item: dict, users: dict) -> None:
    fields = {k: item[k] for k in ("name", "short_name", "url", "country", "description")}
    facility, _ = Facility.objects.update_or_create(slug=item["slug"], defaults=fields)
    facility.curators.add(*[users[name] for name in item["curators"] if name in users])
    for entry in item["instruments"]:
        values = {k: entry[k] for k in ("name", "url", "description")}
        instrument = Instrument.objects.filter(facility=facility, slug=entry["slug"]).first()
        if instrument is None:
            free = not Instrument.objects.filter(pk=entry["id"]).exists()
            instrument = Instrument.objects.create(
                facility=facility, slug=entry["slug"], pk=entry["id"] if free else None, **values
            )
        instrument.techniques.add(*Term.objects.filter(iri__in=entry["techniques"]))


def _import_resource(item: dict, users: dict) -> None:
    resource = Resource.objects.filter(kind=item["kind"], url=item["url"]).first()
    if resource is None:
        free = not Resource.objects.filter(pk=item["id"]).exists()
        resource = Resource.objects.create(
            pk=item["id"] if free else None,
            kind=item["kind"],
            url=item["url"],
            title=item["title"],
            description=item["description"],
            facility=Facility.objects.filter(slug=item["facility"]).first(),
            created_by=users.get(item["created_by"]),
        )
        if item["created_at"]:
            Resource.objects.filter(pk=resource.pk).update(created_at=item["created_at"])
    resource.techniques.add(*Term.objects.filter(iri__in=item["techniques"]))


def _import_procedure(item: dict, users: dict) -> None:
    manifest = item["manifest"]
    procedure_data = manifest["procedure"]
    procedure_data["owners"] = [n for n in procedure_data.get("owners", []) if n in users]
    register_with_history(manifest)
    procedure = Procedure.objects.get(slug=procedure_data["slug"])
    if item["status"] == ProcedureStatus.DEPRECATED:
        services.deprecate_procedure(procedure)
    for number, meta in item["versions"].items():
        ProcedureVersion.objects.filter(procedure=procedure, version=number).update(
            created_at=meta["created_at"],
            published_at=meta["published_at"],
            created_by=users.get(meta["created_by"]),
        )
    Procedure.objects.filter(pk=procedure.pk).update(
        successful_runs=item["successful_runs"],
        created_at=item["created_at"],
        updated_at=item["updated_at"],
        created_by=users.get(item["created_by"]),
    )


def _free_id(model, pk) -> int | None:
    """``pk`` when no row of ``model`` has it (the id is kept), else None (a new one)."""
    if isinstance(pk, int) and not model.objects.filter(pk=pk).exists():
        return pk
    return None


def _reset_sequences() -> None:
    """Move id sequences past explicitly restored ids (a no-op on SQLite)."""
    models = [Instrument, Resource, Term, NexusDefinition]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
