"""OpenAPI examples of the publications API."""

from drf_spectacular.utils import OpenApiExample

PUBLICATION = OpenApiExample(
    "Demo publication",
    value={
        "doi": "10.5072/demo.si-powder",
        "url": "https://doi.org/10.5072/demo.si-powder",
        "title": "Demo: Bragg peaks of a silicon powder measured with neutrons",
        "authors": [{"name": "Dmitri Madeup", "orcid": "0000-0000-0000-3034"}],
        "year": 2025,
        "venue": "Demo Powder Diffraction Notes",
        "abstract": "Demo publication.",
        "licence": "CC-BY-4.0",
        "datasets": ["10.5072/demo:powder-diffraction"],
        "procedure_versions": ["powder-peak-search@1.0.0"],
        "results": [
            {
                "label": "Table 1",
                "version": "powder-peak-search@1.0.0",
                "dataset": "10.5072/demo:powder-diffraction",
                "parameters": {},
                "output_name": "peaks.csv",
                "check": {
                    "tolerance": {"absolute": 0.01, "relative": None},
                    "expected_name": "si-peaks.csv",
                },
            }
        ],
        "is_demo": True,
        "crate_url": "/api/v1/publications/10.5072/demo.si-powder/crate.zip",
    },
    response_only=True,
)

REPRODUCTION = OpenApiExample(
    "A result that differs",
    value={
        "id": "0b5e8a4e-1a0c-4df3-9d0e-5f1b8a2c7d10",
        "publication": "10.5072/demo.si-powder-altered",
        "status": "differs",
        "created": "2025-01-10T10:00:00Z",
        "finished": "2025-01-10T10:00:06Z",
        "comparisons": [
            {
                "label": "Table 1",
                "output_name": "peaks.csv",
                "status": "differs",
                "message": "Largest deviation 15.2 at row 3, column height (published 1297.6, "
                "reproduced 1282.4) exceeds the tolerance 0.01 (absolute 0.01, relative 0).",
                "details": {"kind": "numeric_deviation", "field": "row 3, column height"},
                "run": {
                    "id": "5d1c7a0e-2f3b-4c5d-8e9f-0a1b2c3d4e5f",
                    "state": "COMPLETE",
                    "url": "/api/v1/runs/5d1c7a0e-2f3b-4c5d-8e9f-0a1b2c3d4e5f/",
                    "crate_url": "/api/v1/runs/5d1c7a0e-2f3b-4c5d-8e9f-0a1b2c3d4e5f/crate.zip",
                },
            }
        ],
    },
    response_only=True,
)

MODIFY = OpenApiExample("Open Table 1", value={"result": "Table 1"}, request_only=True)

MODIFIED_VERSION = OpenApiExample(
    "Register the changed notebook",
    value={"run": "3f2b9c1e-7a4d-4e8b-9c2a-1d5e6f7a8b9c", "new_version": "1.0.1"},
    request_only=True,
)
