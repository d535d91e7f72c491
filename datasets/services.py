"""Logic of the datasets app that is not HTTP: data-root safety, registering NeXus files.

``register_dataset`` extracts a NeXus file's summary, infers its techniques and saves a
:class:`~datasets.models.Dataset` in one transaction; files whose size and modification time
(or, failing those, checksum) did not change since the last registration are skipped.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime

from config.api.errors import DomainError
from datasets.choices import DatasetOrigin
from datasets.models import Dataset, DatasetFile, Parameter
from datasets.panosc.units import to_si

CHUNK_SIZE = 1024 * 1024


class PathOutsideDataRootsError(DomainError):
    """A file named through the API lies outside every configured data root."""

    code = "path_outside_data_roots"


class RegistrationStatus:
    """What :func:`register_dataset` did with a file."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class Registration:
    """The outcome of registering one file: the dataset and what happened to it."""

    dataset: Dataset
    status: str
    warnings: list[str] = field(default_factory=list)


# --- data roots -----------------------------------------------------------------------------


def uploads_dir() -> Path:
    """Where uploads that were asked to be kept are stored (``MEDIA_ROOT/datasets``)."""
    return Path(settings.MEDIA_ROOT) / "datasets"


def data_roots() -> list[Path]:
    """The configured data roots, then the folder of kept uploads, with symlinks resolved."""
    return [Path(root).resolve() for root in [*settings.NEXUS_DATA_ROOTS, uploads_dir()]]


def resolve_data_path(path: str | os.PathLike) -> Path:
    """The real path of ``path`` if it is a file inside a data root; raise otherwise.

    Symlinks and ``..`` are resolved first, so neither traversal nor a link pointing out of
    a root escapes. Relative paths are taken relative to the first root.
    """
    text = str(path).strip()
    if not text or "\x00" in text:
        raise DomainError("Give the path of a NeXus file.", details={"path": text})
    roots = data_roots()
    candidate = Path(text)
    if not candidate.is_absolute() and roots:
        candidate = roots[0] / candidate
    real = candidate.resolve()
    if not any(real == root or real.is_relative_to(root) for root in roots):
        raise PathOutsideDataRootsError(
            f"{text} is outside the data roots; files must lie inside one of: "
            + ", ".join(str(root) for root in roots),
            details={"path": text, "roots": [str(root) for root in roots]},
        )
    if not real.is_file():
        raise DomainError(f"No such file: {text}", details={"path": text}, code="file_not_found")
    return real


# --- files ----------------------------------------------------------------------------------


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_pid(path: Path) -> str:
    """A stable local PID for a file registered without one: derived from its real path."""
    return "local:" + hashlib.sha256(str(path).encode()).hexdigest()[:20]


def find_unchanged(path: Path) -> Dataset | None:
    """The dataset registered from ``path`` if the file did not change since; else None.

    Same size and modification time means unchanged; otherwise the checksum decides (a file
    touched but not rewritten stays unchanged and gets its new mtime recorded).
    """
    dataset = Dataset.objects.filter(source_path=str(path)).first()
    if dataset is None:
        return None
    stat = path.stat()
    if dataset.size == stat.st_size and dataset.source_mtime == stat.st_mtime:
        return dataset
    if dataset.size == stat.st_size and dataset.source_sha256 == file_sha256(path):
        dataset.source_mtime = stat.st_mtime
        dataset.save(update_fields=["source_mtime", "updated"])
        return dataset
    return None


# --- from a summary to a dataset -------------------------------------------------------------


def _as_dict(summary: Any) -> dict:
    """A DatasetSummary (or its dict) as a plain dict."""
    return summary if isinstance(summary, dict) else summary.to_dict()


def _first_name(items: Any) -> str:
    """The name of the first item of a list of names or of ``{name: ...}`` dicts."""
    for item in items or []:
        name = item.get("name") if isinstance(item, dict) else item
        if name:
            return str(name)
    return ""


def _creation_date(summary: dict, fallback_mtime: float | None) -> datetime:
    """When the data was taken: the summary's start time, else the file's mtime, else now."""
    started = summary.get("start_time")
    if isinstance(started, str):
        parsed = parse_datetime(started.strip().replace(" ", "T", 1))
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if fallback_mtime is not None:
        return datetime.fromtimestamp(fallback_mtime, tz=UTC)
    return datetime.now(tz=UTC)


def parameter_from_values(name: str, value: Any, unit: str = "", **extra) -> Parameter:
    """An unsaved :class:`Parameter`: numbers get an SI value when the unit is known."""
    unit = str(unit or "").strip()
    number = None
    if isinstance(value, bool):
        value = str(value).lower()
    elif isinstance(value, int | float):
        number = float(value)
    converted = to_si(number, unit) if number is not None and unit else None
    si_value, si_unit = converted if converted else (None, "")
    if number is not None and not unit:
        si_value = number
    return Parameter(
        name=str(name)[:200],
        value=number,
        text_value="" if number is not None else str(value if value is not None else "")[:500],
        unit=unit[:64],
        si_value=si_value,
        si_unit=si_unit[:128],
        **extra,
    )


def parameters_from_summary(summary: dict) -> list[Parameter]:
    """Unsaved parameters of a summary, plus the sample's chemical formula and name."""
    parameters = []
    for item in summary.get("parameters") or []:
        value = item.get("value")
        if isinstance(value, list):
            if len(value) != 1:
                continue
            value = value[0]
        parameters.append(
            parameter_from_values(
                item["name"], value, item.get("unit") or "", path=item.get("path") or ""
            )
        )
    sample = summary.get("sample") or {}
    for key in ("chemical_formula",):
        if sample.get(key):
            parameters.append(parameter_from_values(key, sample[key]))
    return parameters


def infer(summary: Any) -> tuple[list[dict], str]:
    """Techniques inferred from a summary (with evidence) and the reason when there are none."""
    try:
        from datasets.inference import infer_techniques
    except ImportError:  # the inference module ships separately; without it nothing is inferred
        return [], "technique inference is not installed"
    if isinstance(summary, dict):
        from datasets.nexus import DatasetSummary

        summary = DatasetSummary.from_dict(summary)
    result = infer_techniques(summary)
    return list(result.techniques), result.reason or ""


def _technique_terms(inferred: list[dict]):
    """The ontology terms named by inferred techniques (unknown IRIs are left out)."""
    from ontologies.models import Term

    iris = [item["iri"] for item in inferred if item.get("iri")]
    return list(Term.objects.filter(iri__in=iris))


@transaction.atomic
def dataset_from_summary(
    summary: Any,
    *,
    inferred: list[dict] | None = None,
    unknown_reason: str = "",
    pid: str | None = None,
    title: str | None = None,
    is_public: bool = True,
    owner=None,
    origin: str = DatasetOrigin.NEXUS,
    source_mtime: float | None = None,
    facility_slug: str = "",
) -> Dataset:
    """Create or update the dataset of a NeXus summary, with parameters, file and techniques."""
    data = _as_dict(summary)
    path = Path(data.get("path") or "")
    pid = pid or default_pid(path)
    dataset = Dataset.objects.filter(pid=pid).first() or Dataset(pid=pid)
    dataset.title = (title or data.get("title") or path.name or pid)[:500]
    dataset.is_public = is_public
    dataset.owner = owner if owner is not None else dataset.owner
    dataset.origin = origin
    dataset.creation_date = _creation_date(data, source_mtime)
    dataset.size = data.get("file_size")
    dataset.instrument_name = _first_name(data.get("instruments"))[:200]
    dataset.facility_name = str(
        data.get("facility") or (data.get("source") or {}).get("name") or ""
    )[:200]
    dataset.facility_slug = facility_slug or dataset.facility_slug
    sample = data.get("sample") or {}
    dataset.samples = [{"name": sample["name"]}] if sample.get("name") else []
    dataset.summary = data
    dataset.inferred_techniques = inferred or []
    dataset.technique_unknown_reason = "" if inferred else unknown_reason
    dataset.source_path = str(path)
    dataset.source_mtime = source_mtime
    dataset.source_sha256 = data.get("sha256") or ""
    dataset.save()
    dataset.parameters.all().delete()
    parameters = parameters_from_summary(data)
    for parameter in parameters:
        parameter.dataset = dataset
    Parameter.objects.bulk_create(parameters)
    dataset.files.all().delete()
    DatasetFile.objects.create(
        dataset=dataset,
        name=path.name,
        path=str(path),
        size=dataset.size,
        sha256=dataset.source_sha256,
    )
    dataset.techniques.set(_technique_terms(inferred or []))
    return dataset


def extract_summary(path: Path):
    """Extract the NeXus summary of ``path`` (raises ``NexusError`` for files it cannot read)."""
    from datasets.nexus import extract

    return with_conformance(extract(str(path)))


def with_conformance(summary):
    """``summary`` (a DatasetSummary) with its ``conformance`` to the definitions it declares."""
    from datasets.conformance import definition_conformance

    if summary.definitions and not summary.conformance:
        summary.conformance = definition_conformance(summary)
    return summary


def register_dataset(
    path: str | os.PathLike,
    *,
    pid: str | None = None,
    owner=None,
    is_public: bool = True,
    origin: str = DatasetOrigin.NEXUS,
    force: bool = False,
    summary: Any = None,
) -> Registration:
    """Extract, infer and save the dataset of a NeXus file; skip it when unchanged.

    ``summary`` may be given when the caller already extracted the file (workers do).
    """
    real = Path(path).resolve()
    if not force and summary is None:
        unchanged = find_unchanged(real)
        if unchanged is not None and (pid is None or unchanged.pid == pid):
            return Registration(unchanged, RegistrationStatus.UNCHANGED)
    summary = summary if summary is not None else extract_summary(real)
    data = _as_dict(summary)
    if data.get("definitions") and not data.get("conformance"):
        from datasets.nexus import DatasetSummary

        data = with_conformance(DatasetSummary.from_dict(data)).to_dict()
    if not data.get("sha256"):
        data = {**data, "sha256": file_sha256(real)}
    inferred, reason = infer(summary)
    existing = Dataset.objects.filter(source_path=str(real)).values_list("pid", flat=True).first()
    dataset = dataset_from_summary(
        data,
        inferred=inferred,
        unknown_reason=reason,
        pid=pid or existing,
        is_public=is_public,
        owner=owner,
        origin=origin,
        source_mtime=real.stat().st_mtime,
    )
    status = RegistrationStatus.UPDATED if existing else RegistrationStatus.CREATED
    return Registration(dataset, status, list(data.get("warnings") or []))


# --- the NeXus tree --------------------------------------------------------------------------


def nexus_tree(summary: dict) -> dict:
    """The groups and fields of a summary as a nested tree rooted at ``/``.

    Each node: ``{"name", "path", "kind": "group"|"field", "nx_class"?, "shape"?, "dtype"?,
    "units"?, "children": [...]}``.
    """
    root = {"name": "/", "path": "/", "kind": "group", "nx_class": "", "children": []}
    nodes = {"/": root}

    def node_for(path: str, kind: str) -> dict:
        if path in nodes:
            return nodes[path]
        parent_path, _, name = path.rstrip("/").rpartition("/")
        parent = node_for(parent_path or "/", "group")
        node = {"name": name, "path": path, "kind": kind, "children": []}
        parent["children"].append(node)
        nodes[path] = node
        return node

    for path, nx_class in sorted((summary.get("groups") or {}).items()):
        node_for(path, "group")["nx_class"] = nx_class
    for path, info in sorted((summary.get("fields") or {}).items()):
        node = node_for(path, "field")
        node["kind"] = "field"
        node.update({key: info.get(key) for key in ("shape", "dtype", "units") if key in info})
    return root
