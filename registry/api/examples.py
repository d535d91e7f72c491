"""OpenAPI examples of the registry API."""

from drf_spectacular.utils import OpenApiExample

from config.api.openapi import error_example, error_response

_COMMIT = "3f1c2b9a7d4e5f60718293a4b5c6d7e8f9012345"
_DIGEST = "sha256:" + "4" * 64

VERSION_ENTRY = {
    "version": "1.0.0",
    "status": "published",
    "kind": "notebook",
    "code": {
        "repository": "https://github.com/analysis-registry-demo/procedures.git",
        "commit": _COMMIT,
        "entry_point": "saxs-azimuthal-integration/analysis.ipynb",
    },
    "container": f"ghcr.io/analysis-registry-demo/saxs-azimuthal-integration:1.0.0@{_DIGEST}",
    "inputs": {
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {"bins": {"type": "integer", "minimum": 10, "default": 200}},
        },
        "required_nexus": ["NXentry/NXinstrument/NXdetector"],
    },
    "outputs": [{"name": "profile.csv", "media_type": "text/csv"}],
    "resources": {"cpu": 1, "memory_mb": 2048, "walltime_minutes": 10},
    "changelog": "First release.",
}

MANIFEST = {
    "manifest_version": 1,
    "procedure": {
        "slug": "saxs-azimuthal-integration",
        "name": "SAXS azimuthal integration",
        "summary": "Radial intensity profile I(q) from a 2D SAXS detector image.",
        "license": "MIT",
        "keywords": ["saxs", "azimuthal integration"],
        "facilities": ["esrf"],
        "techniques": ["http://purl.org/pan-science/PaNET/PaNET01188"],
    },
    "versions": [VERSION_ENTRY],
}

MANIFEST_EXAMPLE = OpenApiExample("Procedure manifest", value=MANIFEST, request_only=True)
VERSION_EXAMPLE = OpenApiExample(
    "Version entry", value={**VERSION_ENTRY, "version": "1.1.0"}, request_only=True
)
VALIDATION_ERROR_EXAMPLE = OpenApiExample(
    "Invalid manifest",
    status_codes=["400"],
    response_only=True,
    value={
        "error": {
            "code": "invalid_manifest",
            "message": "The manifest is invalid: /versions/0/code/commit: 'abc' does not have the "
            "expected form (a full 40-hex git commit). (and 1 more)",
            "details": {
                "errors": [
                    {
                        "pointer": "/versions/0/code/commit",
                        "message": "'abc' does not have the expected form (a full 40-hex git commit).",
                    },
                    {
                        "pointer": "/procedure/facilities/0",
                        "message": "Unknown facility 'nowhere'.",
                    },
                ]
            },
        }
    },
)
PROCEDURE_EXAMPLE = OpenApiExample(
    "Procedure",
    response_only=True,
    status_codes=["200", "201"],
    value={
        "slug": "saxs-azimuthal-integration",
        "name": "SAXS azimuthal integration",
        "summary": "Radial intensity profile I(q) from a 2D SAXS detector image.",
        "license": "MIT",
        "status": "published",
        "techniques": [
            {
                "iri": "http://purl.org/pan-science/PaNET/PaNET01188",
                "label": "small angle x-ray scattering",
            }
        ],
        "facilities": ["esrf"],
        "versions": [{"version": "1.0.0", "status": "published"}],
    },
)

FACILITY_EXAMPLE = OpenApiExample(
    "Facility",
    value={
        "slug": "esrf",
        "name": "European Synchrotron Radiation Facility",
        "short_name": "ESRF",
        "url": "https://www.esrf.fr",
        "country": "France",
        "description": "",
    },
)
INSTRUMENT_EXAMPLE = OpenApiExample(
    "Instrument",
    value={
        "id": 1,
        "facility": "esrf",
        "slug": "id02",
        "name": "ID02 Time-resolved ultra small-angle X-ray scattering",
        "url": "",
        "description": "",
        "techniques": ["http://purl.org/pan-science/PaNET/PaNET01188"],
    },
)
RESOURCE_EXAMPLE = OpenApiExample(
    "Tutorial",
    value={
        "id": 1,
        "kind": "tutorial",
        "title": "Introduction to SAXS data reduction",
        "url": "https://example.org/saxs-tutorial",
        "description": "",
        "techniques": ["http://purl.org/pan-science/PaNET/PaNET01188"],
        "procedures": ["saxs-azimuthal-integration"],
        "facility": None,
    },
)
VERSION_READ_EXAMPLE = OpenApiExample(
    "Version",
    response_only=True,
    status_codes=["200", "201"],
    value={
        "procedure": "saxs-azimuthal-integration",
        "version": "1.0.0",
        "status": "published",
        "kind": "notebook",
        "code": {
            "repository": VERSION_ENTRY["code"]["repository"],
            "commit": _COMMIT,
            "entry_point": VERSION_ENTRY["code"]["entry_point"],
            "commit_url": "https://github.com/analysis-registry-demo/procedures/commit/" + _COMMIT,
        },
        "container_image": VERSION_ENTRY["container"],
        "input_schema": VERSION_ENTRY["inputs"]["schema"],
        "required_nexus": VERSION_ENTRY["inputs"]["required_nexus"],
        "outputs": VERSION_ENTRY["outputs"],
        "compute_resources": VERSION_ENTRY["resources"],
        "changelog": "First release.",
        "based_on": None,
        "created_at": "2026-11-25T09:00:00Z",
        "published_at": "2026-11-25T09:05:00Z",
        "url": "https://registry.example.org/api/v1/procedures/saxs-azimuthal-integration/versions/1.0.0/",
    },
)

MANIFEST_SCHEMA_EXAMPLE = OpenApiExample(
    "Manifest schema (abridged)",
    response_only=True,
    value={
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://analysis-registry.example.org/api/v1/schemas/procedure-manifest.json",
        "title": "Procedure manifest",
        "type": "object",
        "required": ["manifest_version", "procedure", "versions"],
        "additionalProperties": False,
        # Abridged, and without "$ref": OpenAPI tools resolve every $ref, even in examples.
        "properties": {
            "manifest_version": {"const": 1},
            "procedure": {"type": "object"},
            "versions": {"type": "array", "minItems": 1},
        },
    },
)


def not_found(model: str):
    """The 404 of a lookup of ``model`` that matches nothing the caller may see."""
    return error_response(
        f"No {model} visible to you has that identifier.",
        error_example("Unknown", 404, f"No {model} matches the given query."),
    )


_VERSION = "saxs-azimuthal-integration 1.0.0"
IMMUTABLE_VERSION = error_example(
    "Published version changed",
    409,
    f"Version {_VERSION} is published and immutable; publish a new version to change it.",
    {"immutable_fields": ["container_image"]},
    code="immutable_version",
)
ILLEGAL_TRANSITION = error_example(
    "Illegal transition",
    409,
    f"Version {_VERSION} is published; it cannot return to draft.",
    code="illegal_transition",
)
MANIFEST_CONFLICT = error_response(
    "A published version would change, or go back to draft.", IMMUTABLE_VERSION, ILLEGAL_TRANSITION
)
PROCEDURE_DELETE_CONFLICT = error_response(
    "The procedure has published versions, or runs refer to it.",
    error_example(
        "Published",
        409,
        "saxs-azimuthal-integration has published versions and is kept for reproducibility; "
        "deprecate it instead.",
        code="published_procedure",
    ),
)
PROCEDURE_DEPRECATE_CONFLICT = error_response(
    "A draft procedure is deleted, not deprecated.",
    error_example(
        "Draft",
        409,
        "A draft procedure cannot be deprecated; delete it instead.",
        code="illegal_transition",
    ),
)
DUPLICATE_VERSION = error_response(
    "The version exists already (or a published one would change).",
    error_example("Duplicate", 409, "Version 1.1.0 already exists.", code="duplicate_version"),
    IMMUTABLE_VERSION,
)
VERSION_DELETE_CONFLICT = error_response(
    "Published versions are never deleted; referenced drafts neither.",
    error_example(
        "Published",
        409,
        f"Version {_VERSION} is published; published versions are never deleted "
        "(deprecate it instead).",
        code="immutable_version",
    ),
)
_UNPINNED = (
    "'ghcr.io/demo/saxs:1.0.0' has no digest; tags can move, so pin the image by digest "
    "(name:tag@sha256:<64 hex>) to publish."
)
UNPINNED_CONTAINER = error_response(
    "The container image is not pinned by digest.",
    error_example(
        "Tag only",
        400,
        _UNPINNED,
        {"container": [_UNPINNED]},
        code="unpinned_container",
    ),
)
TRANSITION_CONFLICT = error_response(
    "The version is not in a state that allows this transition.",
    error_example(
        "Already published", 409, f"Version {_VERSION} is already published.",
        code="illegal_transition",
    ),
)  # fmt: skip
