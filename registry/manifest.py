"""The procedure manifest: reading it, and validating it with every error at once.

The manifest (YAML or JSON) is the one way in for tools: the CLI, the API and the admin all
validate through :func:`validate_manifest`, which returns every problem with a JSON pointer
into the document.
"""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from jsonschema import Draft202012Validator

from ontologies.models import Term
from registry.choices import VersionStatus
from registry.models import Facility, ProcedureVersion
from registry.references import REPOSITORY_HINT, publishable_container_problem

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "procedure-manifest.schema.json"
MAX_MANIFEST_BYTES = 1024 * 1024


@cache
def manifest_schema() -> dict:
    """The JSON Schema of the procedure manifest, as published at /api/v1/schemas/."""
    return json.loads(SCHEMA_PATH.read_text())


@dataclass
class ManifestProblem:
    """One problem in a manifest: where (a JSON pointer) and what."""

    pointer: str
    message: str

    def as_dict(self) -> dict:
        """The problem as the API and CLI show it."""
        return {"pointer": self.pointer, "message": self.message}


@dataclass
class ManifestReport:
    """The outcome of validating a manifest: the parsed document and every problem found."""

    document: Any
    problems: list[ManifestProblem] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems

    def add(self, pointer: str, message: str) -> None:
        """Record one problem."""
        self.problems.append(ManifestProblem(pointer, message))


class ManifestError(Exception):
    """A manifest could not be read or is invalid; carries every problem."""

    def __init__(self, problems: list[ManifestProblem]):
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first.pointer or '/'}: {first.message}{more}")


def pointer(parts) -> str:
    """A JSON pointer (RFC 6901) from path parts."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "".join(f"/{p}" for p in escaped)


def parse_manifest_text(text: str | bytes) -> Any:
    """Parse YAML or JSON text (JSON is YAML); raise ManifestError when it is neither."""
    if isinstance(text, bytes):
        if len(text) > MAX_MANIFEST_BYTES:
            raise ManifestError([ManifestProblem("", "The manifest is larger than 1 MiB.")])
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ManifestError(
                [ManifestProblem("", f"The manifest is not UTF-8 text: {exc}")]
            ) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ManifestError(
            [ManifestProblem("", f"Not valid YAML or JSON{where}: {problem}")]
        ) from exc


def read_manifest_file(path: str | Path) -> Any:
    """Read and parse a manifest file; raise ManifestError when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise ManifestError([ManifestProblem("", f"No manifest file at {path}.")])
    if path.stat().st_size > MAX_MANIFEST_BYTES:
        raise ManifestError([ManifestProblem("", "The manifest is larger than 1 MiB.")])
    return parse_manifest_text(path.read_bytes())


def validate_manifest(document: Any) -> ManifestReport:
    """Check a parsed manifest against its schema and the registry; collect every problem."""
    report = ManifestReport(document)
    validator = Draft202012Validator(manifest_schema())
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        report.add(pointer(error.absolute_path), _schema_message(error))
    if not isinstance(document, dict):
        return report
    # Semantic checks run even when the schema found problems, so that every error is reported
    # at once; they skip the parts whose shape is wrong (the schema already reported those).
    for check in (_check_references, _check_versions):
        try:
            check(document, report)
        except (KeyError, TypeError, AttributeError, IndexError):
            continue
    return _without_duplicates(report)


def _without_duplicates(report: ManifestReport) -> ManifestReport:
    """Drop repeated problems (the same pointer and message found by two checks)."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for problem in report.problems:
        key = (problem.pointer, problem.message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    report.problems = unique
    return report


def _schema_message(error) -> str:
    """A readable message for a schema error, naming the offending property where useful."""
    if error.validator == "additionalProperties":
        return error.message
    if error.validator == "pattern":
        return f"{error.instance!r} does not have the expected form ({_PATTERN_HINTS.get(error.schema['pattern'], 'see the manifest schema')})."
    return error.message


def _hint_for(schema_path: list[str]) -> Any:
    node = manifest_schema()
    for part in schema_path:
        node = node[part]
    return node


_PATTERN_HINTS = {
    _hint_for(["$defs", "version", "properties", "code", "properties", "commit", "pattern"]): (
        "a full 40-hex git commit"
    ),
    _hint_for(["$defs", "version", "properties", "version", "pattern"]): (
        "a semantic version such as 1.2.0"
    ),
    _hint_for(["$defs", "version", "properties", "container", "pattern"]): (
        "registry/name:tag@sha256:<64 hex>"
    ),
    _hint_for(["$defs", "slug", "pattern"]): "lowercase letters, digits and hyphens",
    _hint_for(
        ["$defs", "version", "properties", "code", "properties", "repository", "pattern"]
    ): REPOSITORY_HINT,
    _hint_for(["$defs", "version", "properties", "code", "properties", "entry_point", "pattern"]): (
        "a relative path inside the repository, without '..'"
    ),
    _hint_for(
        [
            "$defs",
            "version",
            "properties",
            "inputs",
            "properties",
            "required_nexus",
            "items",
            "pattern",
        ]
    ): "an absolute NeXus path such as /entry/data/data or NX classes such as NXentry/NXdata",
}


def _check_references(document: dict, report: ManifestReport) -> None:
    """Techniques, facilities and owners named in the manifest must exist."""
    procedure = document["procedure"]
    iris = set(procedure.get("techniques", []))
    for r in procedure.get("resources", []):
        iris.update(r.get("techniques", []))
    known_iris = set(Term.objects.filter(iri__in=iris).values_list("iri", flat=True))
    for index, iri in enumerate(procedure["techniques"]):
        if iri not in known_iris:
            report.add(f"/procedure/techniques/{index}", f"Unknown technique IRI {iri}.")
    for r_index, resource in enumerate(procedure.get("resources", [])):
        for index, iri in enumerate(resource.get("techniques", [])):
            if iri not in known_iris:
                report.add(
                    f"/procedure/resources/{r_index}/techniques/{index}",
                    f"Unknown technique IRI {iri}.",
                )
    slugs = procedure.get("facilities", [])
    known_slugs = set(Facility.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    for index, slug in enumerate(slugs):
        if slug not in known_slugs:
            report.add(f"/procedure/facilities/{index}", f"Unknown facility {slug!r}.")
    owners = procedure.get("owners", [])
    known_owners = set(
        get_user_model().objects.filter(username__in=owners).values_list("username", flat=True)
    )
    for index, name in enumerate(owners):
        if name not in known_owners:
            report.add(f"/procedure/owners/{index}", f"Unknown user {name!r}.")


def _check_versions(document: dict, report: ManifestReport) -> None:
    """Each version: unique number, valid input schema, publishable container, immutability."""
    slug = document["procedure"]["slug"]
    stored = {
        v.version: v
        for v in ProcedureVersion.objects.filter(procedure__slug=slug).select_related("procedure")
    }
    seen: set[str] = set()
    for index, version in enumerate(document["versions"]):
        try:
            _check_version(version, f"/versions/{index}", slug, stored, seen, report)
        except (KeyError, TypeError, AttributeError):
            continue


def _check_version(
    version: dict, where: str, slug: str, stored: dict, seen: set, report: ManifestReport
) -> None:
    """Check one version entry of the manifest; ``seen`` holds the numbers of earlier entries."""
    number = version["version"]
    earlier = {f"{slug}@{n}" for n in seen}
    if number in seen:
        report.add(f"{where}/version", f"Version {number} appears more than once.")
    seen.add(number)
    _check_input_schema(version["inputs"]["schema"], f"{where}/inputs/schema", report)
    status = version.get("status", VersionStatus.DRAFT)
    if status != VersionStatus.DRAFT:
        problem = publishable_container_problem(version.get("container", ""))
        if problem:
            report.add(f"{where}/container", problem)
    _check_based_on(version.get("based_on"), f"{where}/based_on", earlier, report)
    existing = stored.get(number)
    if existing is not None:
        _check_against_stored(existing, version, where, report)


def _check_input_schema(schema: dict, where: str, report: ManifestReport) -> None:
    """The input contract must itself be a valid Draft 2020-12 JSON Schema."""
    meta_validator = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    for error in meta_validator.iter_errors(schema):
        report.add(
            where + pointer(error.absolute_path),
            f"Not a valid JSON Schema (Draft 2020-12): {error.message}",
        )
    declared = schema.get("$schema")
    if declared and "2020-12" not in declared:
        report.add(f"{where}/$schema", "Input schemas must use JSON Schema Draft 2020-12.")


def _check_based_on(
    based_on: str | None, where: str, earlier: set[str], report: ManifestReport
) -> None:
    """``based_on`` names, as ``slug@version``, a stored version or an earlier one of this
    manifest (``earlier`` holds those as ``slug@version``)."""
    if not based_on or based_on in earlier:
        return
    slug, _, number = based_on.partition("@")
    if not ProcedureVersion.objects.filter(procedure__slug=slug, version=number).exists():
        report.add(where, f"No version {based_on!r} to base on (expected 'slug@version').")


def _check_against_stored(stored: ProcedureVersion, version: dict, where: str, report) -> None:
    """A published version may only be repeated unchanged (or deprecated)."""
    wanted = version.get("status", VersionStatus.DRAFT)
    if stored.status == VersionStatus.DRAFT:
        return
    if wanted == VersionStatus.DRAFT:
        report.add(
            f"{where}/status", f"Version {stored.version} is published; it cannot return to draft."
        )
    from registry.services import version_fields_from_manifest

    changed = [
        name
        for name, value in version_fields_from_manifest(version).items()
        if getattr(stored, name) != value
    ]
    if changed:
        report.add(
            where,
            f"Version {stored.version} is published and immutable (changed: {', '.join(changed)}); "
            "give the change a new version number.",
        )


def ensure_valid(document: Any) -> ManifestReport:
    """Validate and raise ManifestError with every problem when the manifest is invalid."""
    report = validate_manifest(document)
    if not report.is_valid:
        raise ManifestError(report.problems)
    return report
