"""Publication bundles: one RO-Crate per publication, nesting the Workflow Run Crates behind
its results, that another installation imports to reproduce the publication there.

Layout of the zip: ``ro-crate-metadata.json`` (the publication as the root dataset),
``publication.json`` (the record and results, read back on import), ``procedures/<slug>.json``
(manifests of the versions used), ``datasets/<n>/<file>`` (the input files),
``results/<n>/<file>`` (published values) and ``runs/<run id>/`` (nested run crates).
"""

import json
import re
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from django.db import transaction
from rocrate.model.contextentity import ContextEntity
from rocrate.rocrate import ROCrate
from tqdm import tqdm

from config.api.errors import DomainError
from datasets.services import data_roots, file_sha256, register_dataset
from execution.crate import crate_path
from execution.models import Run
from publications.choices import RecordFormat
from publications.models import Publication
from registry.manifest import ManifestError
from registry.services import register_manifest, version_to_manifest

BUNDLE_RECORD = "publication.json"
MAX_MEMBERS = 10_000
MAX_BYTES = 20 * 1024**3


class BundleError(DomainError):
    """A publication bundle that cannot be imported."""

    code = "invalid_bundle"


# --- export ----------------------------------------------------------------------------------


def csl_record(publication: Publication) -> dict:
    """The publication as CSL JSON."""
    record = {
        "type": "article-journal",
        "DOI": publication.doi,
        "title": publication.title,
        "container-title": publication.venue,
        "abstract": publication.abstract,
        "author": [
            {"literal": a.name, **({"ORCID": f"https://orcid.org/{a.orcid}"} if a.orcid else {})}
            for a in publication.authors.all()
        ],
    }
    if publication.year:
        record["issued"] = {"date-parts": [[publication.year]]}
    if publication.licence:
        record["license"] = publication.licence
    return record


def procedure_manifest(versions: list) -> dict:
    """A manifest with just ``versions`` (all of one procedure), without local owners."""
    procedure = versions[0].procedure
    entries = []
    for version in versions:
        entry = version_to_manifest(version)
        entry.pop("based_on", None)  # the base may not travel with the bundle
        entries.append(entry)
    return {
        "manifest_version": 1,
        "procedure": {
            "slug": procedure.slug, "name": procedure.name, "summary": procedure.summary,
            "description": procedure.description, "license": procedure.license,
            "keywords": procedure.keywords, "citation": procedure.citation,
            "facilities": sorted(procedure.facilities.values_list("slug", flat=True)),
            "techniques": sorted(procedure.techniques.values_list("iri", flat=True)),
        },
        "versions": entries,
    }  # fmt: skip


EVERY_RUN = object()  # the reader of an operator's export: every run's crate goes in


def latest_runs(publication: Publication, reader=EVERY_RUN) -> dict[int, Run]:
    """The run behind each result in the latest reproduction (result id → run).

    Only the runs ``reader`` may read (their own; staff every run; the anonymous none), as the
    execution app's rule says: a run's crate holds its parameters, inputs and log.
    """
    reproduction = publication.reproductions.first()
    if reproduction is None:
        return {}
    runs = Run.objects.all() if reader is EVERY_RUN else Run.objects.visible_to(reader)
    comparisons = reproduction.comparisons.select_related("run").filter(run__in=runs)
    return {c.result_id: c.run for c in comparisons}


def export_bundle(
    publication: Publication, target: Path, *, progress: bool = False, reader=EVERY_RUN
) -> Path:
    """Write the publication's bundle as a zip at ``target`` (a bar of bytes written if asked).

    Nested run crates are those ``reader`` may read (:func:`latest_runs`); the command line
    exports every one.
    """
    with tempfile.TemporaryDirectory(prefix="publication-bundle-") as scratch:
        crate = build_bundle(publication, Path(scratch), reader)
        with (
            open(target, "wb") as out,
            tqdm(desc="bundle", unit="B", unit_scale=True, disable=not progress) as bar,
        ):
            for chunk in crate.stream_zip(chunk_size=2**20):
                out.write(chunk)
                bar.update(len(chunk))
    return Path(target)


def build_bundle(publication: Publication, scratch: Path, reader=EVERY_RUN) -> ROCrate:
    """The RO-Crate of ``publication`` (files staged under ``scratch``; run crates of the runs
    ``reader`` may read)."""
    crate = ROCrate()
    crate.name = publication.title
    crate.description = f"Publication bundle of doi:{publication.doi}: datasets, procedures, runs."
    root = crate.root_dataset
    root["identifier"] = publication.url
    root["license"] = publication.licence or "https://spdx.org/licenses/CC-BY-4.0"
    root["author"] = [
        {"@id": add_person(crate, author)["@id"]} for author in publication.authors.all()
    ]
    record = {"record": csl_record(publication), "results": [], "datasets": [], "procedures": []}
    add_datasets(crate, publication, scratch, record)
    add_procedures(crate, publication, scratch, record)
    runs = latest_runs(publication, reader)
    for index, result in enumerate(publication.results.select_related("version__procedure")):
        record["results"].append(add_result(crate, result, index, runs.get(result.pk), scratch))
    staged = scratch / BUNDLE_RECORD
    staged.write_text(json.dumps(record, indent=2))
    crate.add_file(staged, dest_path=BUNDLE_RECORD, properties={
        "name": "Publication record and published results (for import)",
        "encodingFormat": "application/json",
    })  # fmt: skip
    return crate


def add_person(crate: ROCrate, author) -> ContextEntity:
    """An author as a schema.org Person (ORCID as its id when known)."""
    identifier = (
        f"https://orcid.org/{author.orcid}" if author.orcid else f"#author-{author.position}"
    )
    return crate.add(ContextEntity(crate, identifier, {"@type": "Person", "name": author.name}))


def add_datasets(crate: ROCrate, publication: Publication, scratch: Path, record: dict) -> None:
    """Each linked dataset's file, with its PID and checksum."""
    for index, dataset in enumerate(publication.datasets.order_by("pid")):
        source = Path(dataset.source_path)
        if not source.is_file():
            raise BundleError(f"The file of dataset {dataset.pid} is gone: {source}.")
        dest = f"datasets/{index}/{source.name}"
        crate.add_file(source, dest_path=dest, properties={
            "name": dataset.title, "identifier": dataset.pid, "sha256": dataset.source_sha256,
        })  # fmt: skip
        record["datasets"].append({"pid": dataset.pid, "file": dest, "sha256": file_sha256(source)})


def add_procedures(crate: ROCrate, publication: Publication, scratch: Path, record: dict) -> None:
    """A manifest per procedure with the versions the publication used."""
    by_slug: dict[str, list] = {}
    for version in publication.procedure_versions.select_related("procedure").order_by("pk"):
        by_slug.setdefault(version.procedure.slug, []).append(version)
    for slug, versions in sorted(by_slug.items()):
        staged = scratch / f"{slug}.json"
        staged.write_text(json.dumps(procedure_manifest(versions), indent=2))
        dest = f"procedures/{slug}.json"
        crate.add_file(staged, dest_path=dest, properties={
            "name": f"Procedure manifest of {slug}", "encodingFormat": "application/json",
        })  # fmt: skip
        record["procedures"].append({"slug": slug, "manifest": dest})


def add_result(crate: ROCrate, result, index: int, run: Run | None, scratch: Path) -> dict:
    """A published result: its values file, and the nested crate of the run that made it."""
    entry = {
        "label": result.label,
        "version": f"{result.version.procedure.slug}@{result.version.version}",
        "dataset": result.dataset.pid,
        "output": result.output_name,
        "parameters": result.parameters,
    }
    if result.uses_tolerance:
        entry["tolerance"] = {
            "absolute": result.absolute_tolerance,
            "relative": result.relative_tolerance,
        }
        name = result.expected_name or Path(result.output_name).name
        staged = scratch / f"result-{index}-{name}"
        staged.write_text(result.expected_text)
        entry.update(expected_name=name, expected_file=f"results/{index}/{name}")
        crate.add_file(staged, dest_path=entry["expected_file"], properties={"name": result.label})
    else:
        entry["sha256"] = result.sha256
    properties = {
        "@type": "CreativeWork",
        "name": result.label,
        "about": {"@id": publication_root(crate)},
    }
    if run is not None and crate_path(run).is_file():
        unpacked = scratch / "runs" / str(run.pk)
        if not unpacked.exists():
            shutil.unpack_archive(str(crate_path(run)), str(unpacked), "zip")
            crate.add_dataset(
                unpacked,
                dest_path=f"runs/{run.pk}/",
                properties={
                    "name": f"Workflow Run Crate of run {run.pk}",
                    "conformsTo": {"@id": "https://w3id.org/ro/crate/1.1"},
                },
            )
        properties["isBasedOn"] = {"@id": f"runs/{run.pk}/"}
        entry["run_crate"] = f"runs/{run.pk}/"
    crate.add(ContextEntity(crate, f"#result-{index}", properties))
    return entry


def publication_root(crate: ROCrate) -> str:
    """The id of the crate's root dataset."""
    return crate.root_dataset.id


# --- import ----------------------------------------------------------------------------------


def safe_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The zip's members, refusing absolute paths, ``..``, links and oversized archives."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_BYTES:
        raise BundleError("The bundle is too large.", code="bundle_too_large")
    for member in members:
        path = PurePosixPath(member.filename)
        mode = member.external_attr >> 16
        if (
            path.is_absolute()
            or ".." in path.parts
            or "\\" in member.filename
            or re.match(r"^[a-zA-Z]:", member.filename)
        ):
            raise BundleError(
                f"Unsafe path in the bundle: {member.filename!r}.", code="unsafe_bundle_path"
            )
        if mode and (mode & 0o170000) == 0o120000:
            raise BundleError(
                f"Symbolic link in the bundle: {member.filename!r}.", code="unsafe_bundle_path"
            )
    return members


def read_bundle(zip_path: Path, into: Path) -> dict:
    """Unpack a bundle safely and return its publication record."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            names = {m.filename for m in safe_members(archive)}
            for required in ("ro-crate-metadata.json", BUNDLE_RECORD):
                if required not in names:
                    raise BundleError(f"The bundle has no {required}.", code="missing_metadata")
            archive.extractall(into)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BundleError(f"{Path(zip_path).name} is not a zip bundle: {exc}") from exc
    try:
        record = json.loads((into / BUNDLE_RECORD).read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"{BUNDLE_RECORD} is not JSON: {exc}", code="missing_metadata") from exc
    if not isinstance(record, dict) or not isinstance(record.get("record"), dict):
        raise BundleError(f"{BUNDLE_RECORD} has no publication record.", code="missing_metadata")
    return record


def bundle_file(root: Path, relative: str) -> Path:
    """A file inside the unpacked bundle (never outside it)."""
    path = (root / str(relative)).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise BundleError(f"The bundle lacks {relative!r}.", {"file": relative}, "missing_file")
    return path


def is_bundle(names: set[str]) -> bool:
    """True when a zip holds a publication record (read_bundle then checks the rest)."""
    return BUNDLE_RECORD in names


def import_bundle_file(zip_path: Path) -> str:
    """Import a bundle (with a progress bar) and say in one line what was registered.

    The importer that ``manage.py import_crate`` and ``import_publication_bundle`` share.
    """
    publication = import_bundle(Path(zip_path), progress=True)
    return (
        f"imported {publication.doi}: {publication.results.count()} result(s), "
        f"{publication.datasets.count()} dataset(s), "
        f"{publication.procedure_versions.count()} procedure version(s)"
    )


def import_bundle(zip_path: Path, by=None, *, progress: bool = False) -> Publication:
    """Register the publication of a bundle, with its procedures and datasets; all or nothing."""
    from publications.services import link_results, save_record

    with tempfile.TemporaryDirectory(prefix="publication-import-") as scratch:
        root = Path(scratch)
        record = read_bundle(Path(zip_path), root)
        items = [("procedure", i) for i in record.get("procedures", [])]
        items += [("dataset", i) for i in record.get("datasets", [])]
        copied: list[Path] = []
        try:
            with transaction.atomic():
                for kind, item in tqdm(items, desc="import", unit="item", disable=not progress):
                    if kind == "dataset":
                        import_dataset(root, item, copied)
                        continue
                    manifest = json.loads(bundle_file(root, item.get("manifest", "")).read_text())
                    try:
                        register_manifest(manifest, by=by)
                    except ManifestError as exc:
                        raise BundleError(f"Manifest of {item.get('slug')}: {exc}") from exc
                for entry in record.get("results", []):
                    if entry.get("expected_file"):
                        entry["expected_text"] = bundle_file(
                            root, entry["expected_file"]
                        ).read_text()
                publication, _ = save_record(record["record"])
                publication.record_format = RecordFormat.BUNDLE
                publication.save(update_fields=["record_format"])
                link_results(publication, record.get("results", []))
        except BaseException:
            for path in copied:
                path.unlink(missing_ok=True)
            raise
    return publication


def import_dataset(root: Path, item: dict, copied: list[Path]) -> None:
    """Copy a bundled dataset file into the first data root and register it under its PID."""
    source = bundle_file(root, item.get("file", ""))
    if item.get("sha256") and file_sha256(source) != item["sha256"]:
        raise BundleError(f"The file of dataset {item.get('pid')} does not match its checksum.")
    folder = data_roots()[0] / "publications" / re.sub(r"[^A-Za-z0-9._-]+", "_", item["pid"])
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    if not target.exists():
        shutil.copyfile(source, target)
        copied.append(target)
    elif file_sha256(target) != file_sha256(source):
        raise BundleError(f"{target} exists with other content.", code="dataset_conflict")
    register_dataset(target, pid=item["pid"])
