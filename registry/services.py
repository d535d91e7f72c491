"""Registry logic that is not HTTP: registering manifests, publishing, deprecating."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from config.api.errors import ConflictError, DomainError
from ontologies.models import Term
from registry import permissions
from registry.choices import ProcedureStatus, VersionStatus
from registry.manifest import ManifestError, ManifestProblem, ensure_valid
from registry.models import Facility, Procedure, ProcedureVersion, Resource
from registry.references import publishable_container_problem

PROCEDURE_FIELDS = ("name", "summary", "description", "license", "keywords", "citation")


@dataclass
class RegistrationResult:
    """What registering a manifest did (or, in a dry run, would do)."""

    procedure: str
    procedure_action: str
    versions: dict[str, str] = field(default_factory=dict)
    resources: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        """True when anything was (or would be) created or updated."""
        actions = [self.procedure_action, *self.versions.values(), *self.resources.values()]
        return any(action != "unchanged" for action in actions)

    def as_dict(self) -> dict:
        """The result as the API and CLI report it."""
        return {
            "procedure": self.procedure,
            "procedure_action": self.procedure_action,
            "versions": self.versions,
            "resources": self.resources,
            "changed": self.changed,
            "dry_run": self.dry_run,
        }


class _DryRunRollback(Exception):
    """Raised inside the transaction of a dry run so that nothing is written."""


def version_fields_from_manifest(version: dict) -> dict[str, Any]:
    """Model field values of a version as the manifest states them."""
    inputs = version.get("inputs", {})
    return {
        "kind": version["kind"],
        "code_repository": version["code"]["repository"],
        "code_commit": version["code"]["commit"],
        "entry_point": version["code"]["entry_point"],
        "container_image": version.get("container", ""),
        "input_schema": inputs.get("schema", {}),
        "required_nexus": inputs.get("required_nexus", []),
        "outputs": version.get("outputs", []),
        "compute_resources": version.get("resources", {}),
        "changelog": version.get("changelog", ""),
        "base_version_id": _base_version_id(version.get("based_on")),
    }


def _base_version_id(based_on: str | None) -> int | None:
    if not based_on:
        return None
    slug, _, number = based_on.partition("@")
    return (
        ProcedureVersion.objects.filter(procedure__slug=slug, version=number)
        .values_list("pk", flat=True)
        .first()
    )


def register_manifest(document: Any, by=None, dry_run: bool = False) -> RegistrationResult:
    """Validate a manifest and create or update its procedure, versions and resources.

    Idempotent: registering the same manifest again changes nothing. ``by`` (a user, or None for
    trusted callers such as ``load_demo``) must be allowed to edit the procedure. Raises
    ManifestError with every problem when the manifest is invalid, PermissionDenied when ``by``
    may not register it; writes nothing in either case, nor in a dry run.
    """
    ensure_valid(document)
    procedure_data = document["procedure"]
    if by is not None:
        permissions.check_can_register(
            by, procedure_data["slug"], procedure_data.get("facilities", [])
        )
    result = RegistrationResult(procedure=procedure_data["slug"], procedure_action="unchanged")
    try:
        with transaction.atomic():
            procedure = _upsert_procedure(procedure_data, by, result)
            for version in document["versions"]:
                _upsert_version(procedure, version, by, result)
            _refresh_procedure_status(procedure)
            for resource in procedure_data.get("resources", []):
                _upsert_resource(procedure, resource, by, result)
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        result.dry_run = True
    return result


def _upsert_procedure(data: dict, by, result: RegistrationResult) -> Procedure:
    values = {name: data.get(name, "" if name != "keywords" else []) for name in PROCEDURE_FIELDS}
    procedure = Procedure.objects.filter(slug=data["slug"]).first()
    if procedure is None:
        procedure = Procedure.objects.create(slug=data["slug"], created_by=by, **values)
        result.procedure_action = "created"
    elif any(getattr(procedure, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(procedure, name, value)
        procedure.save()
        result.procedure_action = "updated"
    if _set_relations(procedure, data) and result.procedure_action == "unchanged":
        result.procedure_action = "updated"
    if by is not None and procedure.owners.count() == 0:
        procedure.owners.add(by)
    return procedure


def _set_relations(procedure: Procedure, data: dict) -> bool:
    """Set techniques, facilities and owners; True when any of them changed."""
    changed = False
    wanted = {
        "techniques": set(
            Term.objects.filter(iri__in=data["techniques"]).values_list("pk", flat=True)
        ),
        "facilities": set(
            Facility.objects.filter(slug__in=data.get("facilities", [])).values_list(
                "pk", flat=True
            )
        ),
    }
    if "owners" in data:
        wanted["owners"] = set(
            get_user_model()
            .objects.filter(username__in=data["owners"])
            .values_list("pk", flat=True)
        )
    for name, ids in wanted.items():
        manager = getattr(procedure, name)
        if set(manager.values_list("pk", flat=True)) != ids:
            manager.set(ids)
            changed = True
    return changed


def _upsert_version(procedure: Procedure, data: dict, by, result: RegistrationResult) -> None:
    values = version_fields_from_manifest(data)
    status = data.get("status", VersionStatus.DRAFT)
    version = procedure.versions.filter(version=data["version"]).first()
    if version is None:
        version = ProcedureVersion.objects.create(
            procedure=procedure, version=data["version"], created_by=by, **values
        )
        action = "created"
    elif version.status == VersionStatus.DRAFT and any(
        getattr(version, name) != value for name, value in values.items()
    ):
        for name, value in values.items():
            setattr(version, name, value)
        version.save()
        action = "updated"
    else:
        action = "unchanged"
    if status != version.status:
        set_version_status(version, status)
        action = "created" if action == "created" else "updated"
    result.versions[data["version"]] = action


def _upsert_resource(procedure: Procedure, data: dict, by, result: RegistrationResult) -> None:
    values = {"title": data["title"], "description": data.get("description", "")}
    resource = Resource.objects.filter(kind=data["kind"], url=data["url"]).first()
    action = "unchanged"
    if resource is None:
        resource = Resource.objects.create(
            kind=data["kind"], url=data["url"], created_by=by, **values
        )
        action = "created"
    elif any(getattr(resource, name) != value for name, value in values.items()):
        Resource.objects.filter(pk=resource.pk).update(**values)
        action = "updated"
    iris = data.get("techniques") or list(procedure.techniques.values_list("iri", flat=True))
    term_ids = set(Term.objects.filter(iri__in=iris).values_list("pk", flat=True))
    if not term_ids <= set(resource.techniques.values_list("pk", flat=True)):
        resource.techniques.add(*term_ids)
        action = "updated" if action == "unchanged" else action
    if not resource.procedures.filter(pk=procedure.pk).exists():
        resource.procedures.add(procedure)
        action = "updated" if action == "unchanged" else action
    result.resources[f"{data['kind']}:{data['url']}"] = action


def set_version_status(version: ProcedureVersion, status: str) -> ProcedureVersion:
    """Move a version to ``status`` along the allowed transitions."""
    if status == version.status:
        return version
    if status == VersionStatus.PUBLISHED:
        return publish_version(version)
    if status == VersionStatus.DEPRECATED:
        if version.status == VersionStatus.DRAFT:  # registered as deprecated: publish first
            publish_version(version)
        return deprecate_version(version)
    raise ConflictError(
        f"Version {version} is {version.status}; it cannot return to draft.",
        code="illegal_transition",
    )


def publish_version(version: ProcedureVersion) -> ProcedureVersion:
    """Freeze a version and make it recommendable; refuse an image not pinned by digest."""
    if version.status != VersionStatus.DRAFT:
        raise ConflictError(
            f"Version {version} is already {version.status}.", code="illegal_transition"
        )
    problem = publishable_container_problem(version.container_image)
    if problem:
        raise DomainError(problem, details={"container": [problem]}, code="unpinned_container")
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    _refresh_procedure_status(version.procedure)
    return version


def deprecate_version(version: ProcedureVersion) -> ProcedureVersion:
    """Withdraw a published version from recommendations; it stays readable."""
    if version.status != VersionStatus.PUBLISHED:
        raise ConflictError(
            f"Only a published version can be deprecated; {version} is {version.status}.",
            code="illegal_transition",
        )
    version.status = VersionStatus.DEPRECATED
    version.save(update_fields=["status"])
    _refresh_procedure_status(version.procedure)
    return version


def deprecate_procedure(procedure: Procedure) -> Procedure:
    """Withdraw a whole procedure: it is never recommended again, but stays readable."""
    procedure.status = ProcedureStatus.DEPRECATED
    procedure.save(update_fields=["status", "updated_at"])
    return procedure


def _refresh_procedure_status(procedure: Procedure) -> None:
    """A procedure is published once one of its versions is published (unless deprecated)."""
    if procedure.status == ProcedureStatus.DEPRECATED:
        return
    published = procedure.versions.filter(status=VersionStatus.PUBLISHED).exists()
    status = ProcedureStatus.PUBLISHED if published else ProcedureStatus.DRAFT
    if procedure.status != status:
        procedure.status = status
        procedure.save(update_fields=["status", "updated_at"])


def delete_draft_version(version: ProcedureVersion) -> None:
    """Delete a draft version; published versions are kept for reproducibility."""
    if version.status != VersionStatus.DRAFT:
        raise ConflictError(
            f"Version {version} is {version.status}; published versions are never deleted "
            "(deprecate it instead).",
            code="immutable_version",
        )
    procedure = version.procedure
    try:
        with transaction.atomic():
            version.delete()
    except ProtectedError as error:
        raise ConflictError(
            f"Version {version} is referenced (for example by runs) and cannot be deleted.",
            code="referenced_version",
        ) from error
    _refresh_procedure_status(procedure)


def procedure_to_manifest(procedure: Procedure) -> dict:
    """The manifest describing a stored procedure and all its versions (round-trips)."""
    data: dict[str, Any] = {
        "slug": procedure.slug,
        **{name: getattr(procedure, name) for name in PROCEDURE_FIELDS},
        "facilities": sorted(procedure.facilities.values_list("slug", flat=True)),
        "techniques": sorted(procedure.techniques.values_list("iri", flat=True)),
        "owners": sorted(procedure.owners.values_list("username", flat=True)),
        "resources": [
            {
                "kind": r.kind,
                "title": r.title,
                "url": r.url,
                "description": r.description,
                "techniques": sorted(t.iri for t in r.techniques.all()),
            }
            for r in procedure.resources.prefetch_related("techniques").order_by("kind", "url")
        ],
    }
    return {
        "manifest_version": 1,
        "procedure": data,
        "versions": [
            version_to_manifest(v) for v in procedure.versions.order_by("created_at", "pk")
        ],
    }


def version_to_manifest(version: ProcedureVersion) -> dict:
    """The manifest entry describing one stored version."""
    data = {
        "version": version.version,
        "status": version.status,
        "kind": version.kind,
        "code": {
            "repository": version.code_repository,
            "commit": version.code_commit,
            "entry_point": version.entry_point,
        },
        "inputs": {"schema": version.input_schema, "required_nexus": version.required_nexus},
        "outputs": version.outputs,
        "resources": version.compute_resources,
        "changelog": version.changelog,
    }
    if version.container_image:
        data["container"] = version.container_image
    if version.base_version_id:
        base = version.base_version
        data["based_on"] = f"{base.procedure.slug}@{base.version}"
    return data


def manifest_problems_as_details(error: ManifestError) -> dict:
    """The ``details`` of an API error for an invalid manifest: every problem with its pointer."""
    return {"errors": [problem.as_dict() for problem in error.problems]}


def single_problem(pointer_text: str, message: str) -> ManifestError:
    """A ManifestError with one problem, for checks outside the schema."""
    return ManifestError([ManifestProblem(pointer_text, message)])
