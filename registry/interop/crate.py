"""Workflow RO-Crates of procedure versions: building them (``rocrate``) and importing them.

A crate holds ``ro-crate-metadata.json`` (mainEntity: the notebook as a ComputationalWorkflow,
with licence, creators, code reference, container, input parameters and PaNET techniques), the
notebook itself when the working copy is available, and ``procedure-manifest.json``: the full
manifest of the procedure with this one version, from which an import re-registers it through
:func:`registry.services.register_manifest`, so validation is the same as for any manifest.
"""

import io
import json
import zipfile
from pathlib import PurePosixPath
from typing import Any

from rocrate.model.computerlanguage import ComputerLanguage
from rocrate.model.contextentity import ContextEntity
from rocrate.rocrate import ROCrate

from config.api.errors import DomainError
from registry import services
from registry.interop import code
from registry.interop.registration import register_with_history
from registry.models import ProcedureVersion

MANIFEST_NAME = "procedure-manifest.json"
METADATA_NAME = "ro-crate-metadata.json"
MAX_CRATE_BYTES = 100 * 1024 * 1024
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 1000
JUPYTER_LANGUAGE_ID = "https://jupyter.org/#notebook"


class CrateError(DomainError):
    """A crate cannot be read or imported; the message says why, in one line."""

    code = "invalid_crate"


def version_manifest(version: ProcedureVersion) -> dict:
    """The manifest of the version's procedure restricted to this one version."""
    document = services.procedure_to_manifest(version.procedure)
    document["versions"] = [services.version_to_manifest(version)]
    return document


def build_crate(version: ProcedureVersion) -> bytes:
    """The Workflow RO-Crate of one version, as the bytes of a zip file."""
    procedure = version.procedure
    crate = ROCrate()
    crate.name = f"{procedure.name} {version.version}"
    crate.description = procedure.summary
    crate.root_dataset["license"] = _license_url(procedure.license)
    language = crate.add(
        ComputerLanguage(
            crate,
            JUPYTER_LANGUAGE_ID,
            properties={
                "name": "Jupyter Notebook",
                "alternateName": "JUPYTER",
                "url": "https://jupyter.org/",
            },
        )
    )
    notebook = code.entry_point_file(version)
    if notebook is not None:
        source: Any = io.BytesIO(notebook.read_bytes())
        dest = PurePosixPath(version.entry_point).name
    else:
        source, dest = code.browse_url(version), None
    workflow = crate.add_workflow(
        source, dest_path=dest, main=True, lang=language, properties=_workflow_properties(version)
    )
    workflow["creator"] = [_person(crate, user) for user in procedure.owners.all()]
    workflow["about"] = [_technique(crate, term) for term in procedure.techniques.all()]
    workflow["input"] = [
        crate.add(ContextEntity(crate, f"#param-{name}", properties=_parameter(name, spec, req)))
        for name, spec, req in _parameters(version.input_schema)
    ]
    workflow["softwareRequirements"] = _container(crate, version)
    manifest = json.dumps(version_manifest(version), indent=2, sort_keys=True).encode()
    crate.add_file(
        io.BytesIO(manifest),
        dest_path=MANIFEST_NAME,
        properties={
            "name": "Procedure manifest",
            "encodingFormat": "application/json",
            "conformsTo": {"@id": "/api/v1/schemas/procedure-manifest.json"},
        },
    )
    return b"".join(crate.stream_zip())


def _license_url(spdx: str) -> str:
    return f"https://spdx.org/licenses/{spdx}" if spdx else ""


def _workflow_properties(version: ProcedureVersion) -> dict:
    procedure = version.procedure
    properties = {
        "name": procedure.name,
        "description": procedure.summary,
        "version": version.code_commit,
        "softwareVersion": version.version,
        "license": _license_url(procedure.license),
        "keywords": ", ".join(procedure.keywords or []),
        "codeRepository": version.code_repository,
        "programmingLanguage": {"@id": JUPYTER_LANGUAGE_ID},
        "identifier": f"{procedure.slug}@{version.version}",
        "creativeWorkStatus": version.status,
        "dateCreated": version.created_at.isoformat(),
        "url": code.browse_url(version),
        "sdPublisher": "analysis registry",
    }
    if version.published_at:
        properties["datePublished"] = version.published_at.isoformat()
    return properties


def _person(crate: ROCrate, user) -> ContextEntity:
    person = ContextEntity(
        crate,
        f"#person-{user.username}",
        properties={
            "@type": "Person",
            "name": user.get_full_name() or user.username,
            "alternateName": user.username,
        },
    )
    return crate.add(person)


def _technique(crate: ROCrate, term) -> ContextEntity:
    entity = ContextEntity(
        crate,
        term.iri,
        properties={
            "@type": "DefinedTerm",
            "name": term.label,
            "termCode": term.short_id,
            "inDefinedTermSet": "http://purl.org/pan-science/PaNET/PaNET.owl",
        },
    )
    return crate.add(entity)


def _parameters(schema: dict):
    """(name, property schema, required) for each property of the input JSON Schema."""
    required = set(schema.get("required", []))
    for name, spec in (schema.get("properties") or {}).items():
        yield name, spec if isinstance(spec, dict) else {}, name in required


def _parameter(name: str, spec: dict, required: bool) -> dict:
    """A FormalParameter entity for one input property."""
    types = {
        "integer": "Integer",
        "number": "Float",
        "boolean": "Boolean",
        "string": "Text",
        "array": "ItemList",
        "object": "PropertyValue",
    }
    properties = {
        "@type": "FormalParameter",
        "conformsTo": {"@id": "https://bioschemas.org/profiles/FormalParameter/1.0-RELEASE"},
        "name": name,
        "additionalType": types.get(str(spec.get("type")), "Text"),
        "valueRequired": required,
    }
    if "default" in spec:
        properties["defaultValue"] = json.dumps(spec["default"])
    if spec.get("description") or spec.get("title"):
        properties["description"] = spec.get("description") or spec.get("title")
    return properties


def _container(crate: ROCrate, version: ProcedureVersion) -> list:
    if not version.container_image:
        return []
    reference = version.container_image
    name, _, digest = reference.partition("@")
    image = ContextEntity(
        crate,
        f"#container-{version.version}",
        properties={
            "@type": ["SoftwareApplication", "ContainerImage"],
            "name": name,
            "identifier": reference,
            "additionalType": {"@id": "https://w3id.org/ro/terms/workflow-run#DockerImage"},
            "sha256": digest.removeprefix("sha256:"),
        },
    )
    return [crate.add(image)]


# --- reading and importing ---------------------------------------------------------------


def _safe_member_name(name: str) -> bool:
    """False for absolute paths, backslashes, drive letters and ``..`` segments."""
    if not name or name.startswith("/") or "\\" in name:
        return False
    parts = PurePosixPath(name).parts
    return ".." not in parts and not (parts and ":" in parts[0])


def read_crate(data: bytes) -> dict:
    """Check a crate zip and return ``{"metadata": ..., "manifest": ...}``; CrateError if bad."""
    if len(data) > MAX_CRATE_BYTES:
        raise CrateError(f"The crate is larger than {MAX_CRATE_BYTES // 2**20} MiB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise CrateError("Not a zip file: a crate is a zip with ro-crate-metadata.json.") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise CrateError(f"The crate has more than {MAX_MEMBERS} files.")
        for member in members:
            if not _safe_member_name(member.filename):
                raise CrateError(f"Unsafe path inside the crate: {member.filename!r}.")
            if member.file_size > MAX_MEMBER_BYTES:
                raise CrateError(
                    f"{member.filename} is larger than {MAX_MEMBER_BYTES // 2**20} MiB."
                )
        names = {m.filename for m in members}
        if METADATA_NAME not in names:
            raise CrateError(f"No {METADATA_NAME} at the top of the crate.")
        metadata = _read_json(archive, METADATA_NAME)
        _main_entity(metadata)
        if MANIFEST_NAME not in names:
            raise CrateError(f"No {MANIFEST_NAME} in the crate: it cannot be registered.")
        return {"metadata": metadata, "manifest": _read_json(archive, MANIFEST_NAME)}


def _read_json(archive: zipfile.ZipFile, name: str) -> Any:
    with archive.open(name) as handle:
        raw = handle.read(MAX_MEMBER_BYTES + 1)
    if len(raw) > MAX_MEMBER_BYTES:
        raise CrateError(f"{name} is larger than {MAX_MEMBER_BYTES // 2**20} MiB.")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CrateError(f"{name} is not valid JSON: {exc}") from None


def _main_entity(metadata: Any) -> dict:
    """The mainEntity of the root dataset; CrateError when there is none."""
    graph = metadata.get("@graph") if isinstance(metadata, dict) else None
    if not isinstance(graph, list):
        raise CrateError(f"{METADATA_NAME} has no @graph.")
    by_id = {e.get("@id"): e for e in graph if isinstance(e, dict)}
    descriptor = by_id.get(METADATA_NAME) or {}
    root_id = (descriptor.get("about") or {}).get("@id", "./")
    root = by_id.get(root_id) or {}
    main_ref = root.get("mainEntity")
    if not isinstance(main_ref, dict) or main_ref.get("@id") not in by_id:
        raise CrateError("The crate has no mainEntity: it is not a Workflow RO-Crate.")
    main = by_id[main_ref["@id"]]
    types = main.get("@type")
    types = types if isinstance(types, list) else [types]
    if "ComputationalWorkflow" not in types:
        raise CrateError("The crate's mainEntity is not a ComputationalWorkflow.")
    return main


def import_crate(data: bytes, by=None) -> list[services.RegistrationResult]:
    """Register the procedure version in a crate (validated like any manifest); all or nothing."""
    content = read_crate(data)
    return register_with_history(content["manifest"], by=by)
