"""Import datasets and documents from PaNOSC search API JSON.

The input is an array of datasets, of documents that carry their datasets, or of instruments
(``{pid, name, facility}``); a dataset's instrument with a pid is kept as an instrument too. Everything is
checked before anything is written, and written in one transaction: a bad file changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime
from tqdm import tqdm

from config.api.errors import DomainError
from datasets.choices import DatasetOrigin, DocumentType
from datasets.models import Dataset, DatasetFile, Document, PanoscInstrument, Parameter
from datasets.services import parameter_from_values


class PanoscImportError(DomainError):
    """PaNOSC JSON that cannot be imported."""

    code = "invalid_panosc_json"


@dataclass
class ImportReport:
    """What an import wrote and what it could not resolve."""

    datasets: int = 0
    documents: int = 0
    instruments: int = 0
    unknown_techniques: list[str] = field(default_factory=list)


def parse_json(text: str) -> list[dict]:
    """The list of objects of a PaNOSC answer (a single object counts as a list of one)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PanoscImportError(
            f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise PanoscImportError("Expected a JSON array of PaNOSC datasets or documents.")
    return items


def _date(value: Any, where: str):
    """A PaNOSC date string as a datetime (None when absent)."""
    if value in (None, ""):
        return None
    parsed = parse_datetime(str(value)) if isinstance(value, str) else None
    if parsed is None:
        raise PanoscImportError(f"{where}: {value!r} is not an ISO 8601 date.")
    return parsed


def _require(item: dict, keys: tuple[str, ...], where: str) -> None:
    """Raise when a mandatory PaNOSC property is missing or empty."""
    missing = [key for key in keys if item.get(key) in (None, "")]
    if missing:
        raise PanoscImportError(f"{where}: missing {', '.join(missing)}.")


def is_document(item: dict) -> bool:
    """Whether an item is a document (it has a type and no creationDate)."""
    return "type" in item and ("datasets" in item or "creationDate" not in item)


def is_instrument(item: dict) -> bool:
    """Whether an item is an instrument (a facility and a name, no title)."""
    return "facility" in item and "name" in item and "title" not in item


def check(items: list[dict]) -> None:
    """Validate every item before anything is written."""
    for index, item in enumerate(items):
        where = f"item {index}"
        if is_instrument(item):
            _require(item, ("pid", "name", "facility"), where)
        elif is_document(item):
            _require(item, ("pid", "title", "type"), where)
            for key in ("startDate", "endDate", "releaseDate"):
                _date(item.get(key), f"{where} {key}")
            nested = item.get("datasets") or []
            if not isinstance(nested, list):
                raise PanoscImportError(f"{where}: datasets must be an array.")
            for position, dataset in enumerate(nested):
                _check_dataset(dataset, f"{where} dataset {position}")
        else:
            _check_dataset(item, where)


def _check_dataset(item: Any, where: str) -> None:
    """Validate one dataset object."""
    if not isinstance(item, dict):
        raise PanoscImportError(f"{where}: a dataset must be an object.")
    _require(item, ("pid", "title"), where)
    _date(item.get("creationDate"), f"{where} creationDate")
    for key in ("techniques", "parameters", "files", "samples"):
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
            raise PanoscImportError(f"{where}: {key} must be an array of objects.")
    for parameter in item.get("parameters") or []:
        _require(parameter, ("name",), f"{where} parameter")


def _resolve_technique(technique: dict):
    """The ontology term of a PaNOSC technique: by panetId, pid (IRI or short id), or name."""
    from ontologies.models import Term

    for key in ("panetId", "pid"):
        value = str(technique.get(key) or "").strip()
        if value:
            term = Term.objects.filter(iri=value).first() or (
                Term.objects.filter(iri__endswith=f"/{value}").first() if "/" not in value else None
            )
            if term:
                return term
    name = str(technique.get("name") or "").strip()
    return Term.objects.filter(label__iexact=name).first() if name else None


def save_instrument(item: dict, report: ImportReport) -> PanoscInstrument:
    """Create or update one instrument."""
    instrument, _ = PanoscInstrument.objects.update_or_create(
        pid=str(item["pid"])[:255],
        defaults={"name": str(item["name"])[:200], "facility": str(item["facility"])[:200]},
    )
    report.instruments += 1
    return instrument


def save_dataset(item: dict, report: ImportReport) -> Dataset:
    """Create or replace one dataset with its parameters, files and techniques."""
    dataset = Dataset.objects.filter(pid=item["pid"]).first() or Dataset(pid=item["pid"])
    instrument = item.get("instrument") or {}
    dataset.title = str(item["title"])[:500]
    dataset.is_public = bool(item.get("isPublic", True))
    dataset.creation_date = _date(item.get("creationDate"), "creationDate") or dataset.creation_date
    dataset.size = item.get("size") if isinstance(item.get("size"), int) else None
    dataset.instrument_pid = str(instrument.get("pid") or item.get("instrumentId") or "")[:255]
    if not instrument and dataset.instrument_pid:  # named by id: an instrument imported before
        known = PanoscInstrument.objects.filter(pid=dataset.instrument_pid).first()
        instrument = {"name": known.name, "facility": known.facility} if known else {}
    dataset.instrument_name = str(instrument.get("name") or "")[:200]
    dataset.facility_name = str(instrument.get("facility") or "")[:200]
    dataset.samples = [
        {key: sample[key] for key in ("pid", "name", "description") if key in sample}
        for sample in item.get("samples") or []
    ]
    dataset.origin = DatasetOrigin.PANOSC
    dataset.save()
    if instrument.get("pid") and instrument.get("name") and instrument.get("facility"):
        save_instrument(instrument, report)
    dataset.parameters.all().delete()
    parameters = [
        parameter_from_values(p["name"], p.get("value"), p.get("unit") or "")
        for p in item.get("parameters") or []
    ]
    for parameter in parameters:
        parameter.dataset = dataset
    Parameter.objects.bulk_create(parameters)
    dataset.files.all().delete()
    DatasetFile.objects.bulk_create(
        DatasetFile(
            dataset=dataset,
            name=str(f.get("name") or f.get("path") or "")[:500],
            path=str(f.get("path") or ""),
            size=f.get("size") if isinstance(f.get("size"), int) else None,
        )
        for f in item.get("files") or []
    )
    terms = []
    for technique in item.get("techniques") or []:
        term = _resolve_technique(technique)
        if term is None:
            report.unknown_techniques.append(
                str(technique.get("name") or technique.get("panetId") or technique.get("pid"))
            )
        else:
            terms.append(term)
    dataset.techniques.set(terms)
    report.datasets += 1
    return dataset


def save_document(item: dict, report: ImportReport) -> Document:
    """Create or replace one document, its parameters, and the datasets it carries."""
    document = Document.objects.filter(pid=item["pid"]).first() or Document(pid=item["pid"])
    document.title = str(item["title"])[:500]
    document.type = item["type"] if item["type"] in DocumentType.values else DocumentType.OTHER
    document.is_public = bool(item.get("isPublic", True))
    for key, attribute in (("summary", "summary"), ("doi", "doi"), ("license", "license")):
        setattr(document, attribute, str(item.get(key) or ""))
    document.start_date = _date(item.get("startDate"), "startDate")
    document.end_date = _date(item.get("endDate"), "endDate")
    document.release_date = _date(item.get("releaseDate"), "releaseDate")
    document.keywords = [str(word) for word in item.get("keywords") or []]
    document.members = [member for member in item.get("members") or [] if isinstance(member, dict)]
    document.save()
    document.parameters.all().delete()
    parameters = [
        parameter_from_values(p["name"], p.get("value"), p.get("unit") or "")
        for p in item.get("parameters") or []
    ]
    for parameter in parameters:
        parameter.document = document
    Parameter.objects.bulk_create(parameters)
    document.datasets.set([save_dataset(dataset, report) for dataset in item.get("datasets") or []])
    report.documents += 1
    return document


def import_panosc(text: str, progress: bool = False) -> ImportReport:
    """Check then import PaNOSC JSON (datasets, or documents with datasets) in one transaction;
    ``progress`` shows a bar (on stderr)."""
    items = parse_json(text)
    check(items)
    report = ImportReport()
    bar = tqdm(items, desc="import", unit="item", disable=not progress)
    with transaction.atomic():
        for item in bar:
            if is_instrument(item):
                save_instrument(item, report)
            elif is_document(item):
                save_document(item, report)
            else:
                save_dataset(item, report)
    return report
