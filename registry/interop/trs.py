"""GA4GH Tool Registry Service (TRS) 2.1 documents built from procedures and their versions.

A TRS *tool* is a procedure (id = slug); a *tool version* is one of its published or deprecated
versions (id = semantic version). Notebooks are served with the descriptor type ``JUPYTER``, an
extension of TRS (whose enum knows only CWL, WDL, NFL, GALAXY and SMK), as Dockstore does.
"""

import hashlib

from django.db.models import Prefetch, Q, QuerySet

from registry import permissions
from registry.choices import VersionKind, VersionStatus
from registry.interop import code
from registry.models import Procedure, ProcedureVersion
from registry.references import parse_container

JUPYTER = "JUPYTER"
PLAIN_JUPYTER = "PLAIN_JUPYTER"
TRS_VERSION = "2.1.0"

TOOL_CLASSES = {
    VersionKind.NOTEBOOK: {
        "id": "Notebook",
        "name": "Notebook",
        "description": "A Jupyter notebook with a tagged parameters cell (papermill).",
    },
    VersionKind.WORKFLOW: {
        "id": "Workflow",
        "name": "Workflow",
        "description": "A workflow that chains several analysis steps.",
    },
    VersionKind.SCRIPT: {
        "id": "CommandLineTool",
        "name": "CommandLineTool",
        "description": "A script run on the command line in its container.",
    },
}
PUBLIC_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.DEPRECATED)


def public_versions(user) -> QuerySet:
    """Published and deprecated versions of the procedures ``user`` may see."""
    return ProcedureVersion.objects.filter(
        status__in=PUBLIC_STATUSES, procedure__in=permissions.visible_procedures(user)
    )


def tools_queryset(user, filters: dict) -> QuerySet:
    """Visible procedures with at least one public version, filtered as TRS ``/tools`` asks."""
    versions = public_versions(user).order_by("-created_at", "-pk")
    queryset = (
        Procedure.objects.filter(pk__in=versions.values("procedure"))
        .prefetch_related(
            "facilities",
            "owners",
            Prefetch("versions", queryset=versions, to_attr="public_versions"),
        )
        .order_by("slug")
    )
    if filters.get("id"):
        queryset = queryset.filter(slug=filters["id"])
    if filters.get("name"):
        queryset = queryset.filter(name__icontains=filters["name"])
    if filters.get("toolname"):
        queryset = queryset.filter(name__icontains=filters["toolname"])
    if filters.get("description"):
        queryset = queryset.filter(search_text__contains=filters["description"].lower())
    if filters.get("organization"):
        value = filters["organization"]
        queryset = queryset.filter(
            Q(facilities__slug__iexact=value)
            | Q(facilities__name__iexact=value)
            | Q(facilities__short_name__iexact=value)
        )
    if filters.get("author"):
        queryset = queryset.filter(owners__username=filters["author"])
    kinds = _kinds_for(filters)
    if kinds is not None:
        queryset = queryset.filter(pk__in=versions.filter(kind__in=kinds).values("procedure"))
    return queryset.distinct()


def _kinds_for(filters: dict) -> set[str] | None:
    """Version kinds allowed by ``toolClass`` and ``descriptorType`` (None: no restriction)."""
    kinds = None
    if filters.get("toolClass"):
        wanted = filters["toolClass"].lower()
        kinds = {k for k, c in TOOL_CLASSES.items() if wanted in (c["id"].lower(), k)}
    if filters.get("descriptorType"):
        served = {VersionKind.NOTEBOOK} if filters["descriptorType"] == JUPYTER else set()
        kinds = served if kinds is None else kinds & served
    return kinds


def organization(procedure: Procedure) -> str:
    """The facilities of a procedure, as TRS's organization."""
    names = [f.short_name or f.name for f in procedure.facilities.all()]
    return ", ".join(sorted(names)) or "analysis registry"


def tool_document(procedure: Procedure, versions: list[ProcedureVersion], base_url: str) -> dict:
    """A TRS ``Tool`` for a procedure and its public versions (newest first)."""
    latest_kind = versions[0].kind if versions else VersionKind.NOTEBOOK
    return {
        "url": f"{base_url}/tools/{procedure.slug}",
        "id": procedure.slug,
        "aliases": [],
        "organization": organization(procedure),
        "name": procedure.name,
        "toolclass": TOOL_CLASSES[latest_kind],
        "description": procedure.summary
        + (f"\n\n{procedure.description}" if procedure.description else ""),
        "meta_version": procedure.updated_at.isoformat(),
        "has_checker": False,
        "versions": [version_document(v, base_url) for v in versions],
    }


def descriptor_types(version: ProcedureVersion) -> list[str]:
    """Descriptor types a version can be served as (notebooks: JUPYTER)."""
    return [JUPYTER] if version.kind == VersionKind.NOTEBOOK else []


def version_document(version: ProcedureVersion, base_url: str) -> dict:
    """A TRS ``ToolVersion`` for one public version."""
    procedure = version.procedure
    types = descriptor_types(version)
    authors = [u.get_full_name() or u.username for u in procedure.owners.all()]
    return {
        "author": authors,
        "name": version.version,
        "url": f"{base_url}/tools/{procedure.slug}/versions/{version.version}",
        "id": version.version,
        "is_production": version.status in PUBLIC_STATUSES,
        "images": image_data(version),
        "descriptor_type": types,
        "descriptor_type_version": {t: [] for t in types},
        "containerfile": code.containerfile(version) is not None,
        "description": version.changelog,
        "meta_version": (version.published_at or version.created_at).isoformat(),
        "verified": False,
        "verified_source": [],
        "signed": False,
        "included_apps": [],
    }


def image_data(version: ProcedureVersion) -> list[dict]:
    """The container image of a version as TRS ``ImageData``, with its sha-256 checksum."""
    reference = parse_container(version.container_image)
    if reference is None:
        return []
    first, _, rest = reference.name.partition("/")
    is_host = rest and ("." in first or ":" in first or first == "localhost")
    image = {
        "registry_host": first if is_host else "docker.io",
        "image_name": version.container_image,
        "image_type": "Docker",
        "checksum": [],
    }
    if reference.digest:
        image["checksum"] = [{"checksum": reference.digest, "type": "sha-256"}]
    return [image]


def checksums(data: bytes) -> list[dict]:
    """A TRS checksum list (sha-256) of ``data``."""
    return [{"checksum": hashlib.sha256(data).hexdigest(), "type": "sha-256"}]


def file_wrapper(version: ProcedureVersion, relative_path: str | None = None) -> dict | None:
    """A TRS ``FileWrapper`` of the entry point (or a file beside it); None when unavailable."""
    found = (
        code.entry_point_file(version)
        if relative_path is None
        else code.code_file(version, relative_path)
    )
    url = code.raw_url(version, relative_path)
    if found is None:
        return {"url": url, "checksum": []} if url else None
    content = found.read_bytes()
    wrapper = {"content": content.decode("utf-8", errors="replace"), "checksum": checksums(content)}
    if url:
        wrapper["url"] = url
    return wrapper


def tool_files(version: ProcedureVersion) -> list[dict]:
    """TRS ``ToolFile`` entries: the notebook (primary descriptor), containerfile, others."""
    entries = []
    for index, item in enumerate(code.code_files(version)):
        if index == 0:
            file_type = "PRIMARY_DESCRIPTOR"
        elif item.path in code.CONTAINERFILE_NAMES:
            file_type = "CONTAINERFILE"
        else:
            file_type = "OTHER"
        entries.append(
            {"path": item.path, "file_type": file_type, "checksum": checksums(item.read_bytes())[0]}
        )
    return entries
