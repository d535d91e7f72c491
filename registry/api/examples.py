"""OpenAPI examples of the registry API."""

from drf_spectacular.utils import OpenApiExample

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
