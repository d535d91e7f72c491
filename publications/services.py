"""Publications logic that is not HTTP: import records, link results, open for modification.

Reproduction lives in :mod:`publications.reproduction`, bundles in :mod:`publications.bundle`,
demo content in :mod:`publications.demo`; their entry points are re-exported here.
"""

from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from config.api.errors import DomainError
from datasets.models import Dataset
from execution.models import Run
from execution.services import create_run
from ontologies.services import descendant_ids, resolve_term
from publications.metadata import RecordError, fetch_record, parse_record, read_record_file
from publications.models import Publication, PublicationAuthor, PublishedResult
from publications.validators import normalise_doi
from registry.models import ProcedureVersion
from registry.services import RegistrationResult, register_manifest

PUBLICATION_FIELDS = ("title", "year", "venue", "abstract", "licence")


# --- identifiers -----------------------------------------------------------------------------


def doi_or_error(text: str) -> str:
    """The normalised DOI of ``text``; DomainError (code invalid_doi) when malformed."""
    try:
        return normalise_doi(text)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], {"doi": text}, "invalid_doi") from exc


def get_publication(doi: str) -> Publication:
    """The publication with ``doi`` (any spelling); DomainError 404-like when unknown."""
    normalised = doi_or_error(doi)
    publication = Publication.objects.filter(doi=normalised).first()
    if publication is None:
        raise PublicationNotFound(f"No publication {normalised}.", {"doi": normalised})
    return publication


class PublicationNotFound(DomainError):
    """No publication with that DOI."""

    status_code = 404
    code = "not_found"


def find_version(reference: str) -> ProcedureVersion:
    """The version named ``slug@version``."""
    slug, _, number = (reference or "").partition("@")
    version = ProcedureVersion.objects.filter(procedure__slug=slug, version=number).first()
    if version is None:
        raise DomainError(
            f"No procedure version {reference!r} (expected 'slug@version').",
            {"version": [reference]},
            "unknown_version",
        )
    return version


# --- records in ------------------------------------------------------------------------------


def import_publication(
    source: str, *, is_demo: bool = False, results: str | Path | None = None
) -> tuple[Publication, bool]:
    """Import from a record file, or from a DOI through doi.org; return (publication, created).

    ``results`` names a results file (see :func:`read_results_file`): its datasets, versions
    and published results are linked in the same transaction, so the publication can be
    reproduced; any error in either file writes nothing.
    """
    entries = read_results_file(Path(results)) if results is not None else None
    path = Path(source)
    if path.suffix.lower() == ".json" or path.is_file():
        document = read_record_file(path)
    else:
        document = fetch_record(doi_or_error(source))
    with transaction.atomic():
        publication, created = save_record(document, is_demo=is_demo)
        if entries is not None:
            link_results(publication, entries)
    return publication, created


def read_results_file(path: Path) -> list[dict]:
    """The published results in a YAML or JSON file: a list (or ``{"results": [...]}``) of
    entries as :func:`link_results` takes them, where ``expected`` names the published values
    file relative to the results file (read into ``expected_text``)."""
    if not path.is_file():
        raise RecordError(f"No such file: {path}", {"file": str(path)}, "file_not_found")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RecordError(f"{path.name} is not YAML or JSON: {exc}", {"file": str(path)}) from exc
    entries = document.get("results") if isinstance(document, dict) else document
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise RecordError(f"{path.name} has no list of results.", {"file": str(path)})
    return [_with_expected_text(entry, path.parent) for entry in entries]


def _with_expected_text(entry: dict, folder: Path) -> dict:
    """``entry`` with its ``expected`` values file (inside ``folder``) read in."""
    if not entry.get("expected"):
        return entry
    expected = (folder / str(entry["expected"])).resolve()
    if not expected.is_relative_to(folder.resolve()) or not expected.is_file():
        raise RecordError(
            f"No expected values file {entry['expected']!r} beside the results file.",
            {"expected": [entry["expected"]]},
            "file_not_found",
        )
    values = {k: v for k, v in entry.items() if k != "expected"}
    return {**values, "expected_name": expected.name, "expected_text": expected.read_text()}


def save_record(document: Any, *, is_demo: bool = False) -> tuple[Publication, bool]:
    """Create or update a publication (and its authors) from a bibliographic record."""
    fields = parse_record(document)
    with transaction.atomic():
        publication, created = Publication.objects.update_or_create(
            doi=fields["doi"],
            defaults={
                **{
                    name: fields[name] or ("" if name != "year" else None)
                    for name in PUBLICATION_FIELDS
                },
                "record_format": fields["format"],
                "is_demo": is_demo,
            },
        )
        publication.full_clean(validate_unique=False)
        publication.authors.all().delete()
        PublicationAuthor.objects.bulk_create(
            PublicationAuthor(publication=publication, position=i, **author)
            for i, author in enumerate(fields["authors"], start=1)
        )
    return publication, created


# --- linking results -------------------------------------------------------------------------


def link_results(publication: Publication, results: list[dict]) -> list[PublishedResult]:
    """Replace the published results (and linked datasets and versions) of ``publication``.

    Each entry: ``label``, ``version`` (slug@version), ``dataset`` (PID), ``output``, and either
    ``sha256`` or ``tolerance`` ({absolute, relative}) with ``expected_text`` (and optional
    ``expected_name``, ``parameters``).
    """
    if not isinstance(results, list):
        raise RecordError("results must be a list.", {"results": repr(results)[:80]})
    with transaction.atomic():
        made = [_result_from_entry(publication, entry, i) for i, entry in enumerate(results)]
        publication.results.exclude(pk__in=[r.pk for r in made]).delete()
        publication.datasets.set({r.dataset_id for r in made})
        publication.procedure_versions.set({r.version_id for r in made})
    return made


def _result_from_entry(publication: Publication, entry: dict, index: int) -> PublishedResult:
    where = f"results[{index}]"
    if not isinstance(entry, dict) or not entry.get("label") or not entry.get("output"):
        raise RecordError(f"{where} needs a label and an output.", {where: entry})
    dataset = Dataset.objects.filter(pid=entry.get("dataset", "")).first()
    if dataset is None:
        raise DomainError(
            f"{where}: no dataset {entry.get('dataset')!r}.", {where: entry}, "unknown_dataset"
        )
    tolerance = entry.get("tolerance") or {}
    if not entry.get("sha256") and not tolerance:
        raise RecordError(f"{where} needs a sha256 or a tolerance.", {where: entry})
    if tolerance and not entry.get("expected_text"):
        raise RecordError(f"{where}: a tolerance needs the expected values.", {where: entry})
    result, _ = PublishedResult.objects.update_or_create(
        publication=publication,
        label=entry["label"],
        defaults=_result_values(entry, dataset, tolerance),
    )
    return result


def _result_values(entry: dict, dataset: Dataset, tolerance: dict) -> dict:
    return dict(
        version=find_version(entry.get("version", "")),
        dataset=dataset,
        parameters=entry.get("parameters") or {},
        output_name=entry["output"],
        sha256=(entry.get("sha256") or "").lower(),
        absolute_tolerance=tolerance.get("absolute"),
        relative_tolerance=tolerance.get("relative"),
        expected_name=entry.get("expected_name", ""),
        expected_text=entry.get("expected_text", ""),
    )


# --- finding publications (API and portal) ---------------------------------------------------


def search_publications(
    *,
    q: str = "",
    technique_iri: str = "",
    technique_ids: set[int] | None = None,
    dataset_pid: str = "",
    procedure_slug: str = "",
    facility_slug: str = "",
    year: int | None = None,
) -> QuerySet:
    """Publications matching every filter given; ``technique_iri`` (an IRI or a short id)
    includes narrower techniques, ``technique_ids`` are the term ids to match as they are."""
    publications = Publication.objects.all()
    if q:
        publications = publications.filter(
            Q(title__icontains=q) | Q(abstract__icontains=q) | Q(doi__icontains=q)
            | Q(authors__name__icontains=q) | Q(venue__icontains=q)
        )  # fmt: skip
    if technique_iri:
        technique_ids = descendant_ids([resolve_term(technique_iri).pk])
    if technique_ids is not None:
        publications = publications.filter(
            Q(datasets__techniques__in=technique_ids)
            | Q(procedure_versions__procedure__techniques__in=technique_ids)
        )
    if dataset_pid:
        publications = publications.filter(datasets__pid=dataset_pid)
    if procedure_slug:
        publications = publications.filter(procedure_versions__procedure__slug=procedure_slug)
    if facility_slug:
        publications = publications.filter(
            Q(datasets__facility_slug=facility_slug)
            | Q(procedure_versions__procedure__facilities__slug=facility_slug)
        )
    if year:
        publications = publications.filter(year=year)
    return publications.distinct()


def publications_for_dataset(dataset: Dataset) -> QuerySet:
    """Publications built on ``dataset`` (for the dataset page)."""
    return Publication.objects.filter(datasets=dataset).prefetch_related("authors")


def publications_for_procedure(procedure) -> QuerySet:
    """Publications that used any version of ``procedure`` (for the procedure page)."""
    return (
        Publication.objects.filter(procedure_versions__procedure=procedure)
        .prefetch_related("authors")
        .distinct()
    )


def with_details(publications: QuerySet) -> QuerySet:
    """``publications`` with authors, datasets, versions and results loaded in few queries."""
    return publications.prefetch_related(
        "authors",
        "datasets",
        "procedure_versions__procedure",
        "results__version__procedure",
        "results__dataset",
    )


# --- modify: open in JupyterHub, register the change -----------------------------------------


def choose_result(publication: Publication, label: str = "", version: str = "") -> PublishedResult:
    """The result named by ``label``, or the first one made with ``version`` (slug@version)."""
    results = publication.results.select_related("version__procedure", "dataset")
    if label:
        results = results.filter(label=label)
    if version:
        slug, _, number = version.partition("@")
        results = results.filter(version__procedure__slug=slug, version__version=number)
    chosen = results.first()
    if chosen is None:
        raise DomainError(
            f"{publication.doi} has no result {label or version or '(any)'}.",
            {"result": label, "version": version},
            "unknown_result",
        )
    return chosen


def open_for_modification(
    publication: Publication, by, *, label: str = "", version: str = ""
) -> Run:
    """Open the result's procedure version, same commit, same dataset, in a JupyterHub server.

    Returns the interactive run; its ``external_url`` is the server once the Hub reports it
    ready (the execution layer fills it in while it drives the run).
    """
    result = choose_result(publication, label, version)
    return create_run(
        version=result.version,
        owner=by,
        parameters=result.parameters,
        dataset_pid=result.dataset.pid,
        backend="jupyterhub",
        tags={"publication": publication.doi, "modify": result.label},
    )


def register_modified_version(
    original_version: ProcedureVersion, new_version_number: str, commit: str, by
) -> RegistrationResult:
    """Register ``commit`` as a new draft version of the procedure, ``based_on`` the original.

    For trusted callers (``by`` None) and those who may edit the procedure; the API's way in
    (the notebook fetched from a Modify server) is
    :func:`publications.modification.register_changed_notebook`.
    """
    from publications.modification import derived_manifest

    manifest = derived_manifest(
        original_version, original_version.procedure.slug, new_version_number, commit
    )
    return register_manifest(manifest, by=by)


# Entry points of the other modules, so callers need only this one (imported last: they use it).
from publications.bundle import export_bundle, import_bundle  # noqa: E402
from publications.demo import load_demo_publications  # noqa: E402
from publications.reproduction import refresh_reproduction, reproduce  # noqa: E402

__all__ = [
    "choose_result", "doi_or_error", "export_bundle", "find_version", "get_publication",
    "import_bundle", "import_publication", "link_results", "load_demo_publications",
    "open_for_modification", "publications_for_dataset", "publications_for_procedure",
    "refresh_reproduction", "register_modified_version", "reproduce", "save_record",
    "search_publications", "with_details",
]  # fmt: skip
