"""OpenAPI examples of the runs API."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse

from config.api.openapi import error_example, error_response

_RUN_ID = "0b9f8c1e-6d1c-4d8e-9a47-1f0e0c7a2b11"
RUN = {
    "id": _RUN_ID,
    "procedure": "saxs-azimuthal-integration",
    "version": "1.0.0",
    "state": "COMPLETE",
    "backend": "local",
    "facility_slug": "esrf",
    "dataset": "10.5281/example.saxs",
    "dataset_path": "",
    "parameters": {"bins": 100},
    "owner": "esrf-curator",
    "external_id": "",
    "external_url": "",
    "log": "Executing notebook with papermill...\nWrote profile.csv\n",
    "error": "",
    "exit_code": 0,
    "outputs": [
        {
            "name": "profile.csv",
            "size": 5120,
            "sha256": "9f2c" + "0" * 60,
            "url": f"/api/v1/runs/{_RUN_ID}/outputs/profile.csv",
        }
    ],
    "events": [
        {"from_state": "", "to_state": "QUEUED", "message": "", "at": "2026-01-05T10:00:00Z"},
        {"from_state": "QUEUED", "to_state": "RUNNING", "message": "", "at": "2026-01-05T10:00:01Z"},
        {"from_state": "RUNNING", "to_state": "COMPLETE", "message": "", "at": "2026-01-05T10:00:09Z"},
    ],
    "crate_url": f"/api/v1/runs/{_RUN_ID}/crate.zip",
    "created_at": "2026-01-05T10:00:00Z",
    "started_at": "2026-01-05T10:00:01Z",
    "ended_at": "2026-01-05T10:00:09Z",
}  # fmt: skip
RUN_EXAMPLE = OpenApiExample("A finished run", value=RUN, response_only=True)
CANCELED_EXAMPLE = OpenApiExample(
    "Canceled",
    value={**RUN, "state": "CANCELED", "outputs": [], "exit_code": None, "log": ""},
    response_only=True,
    status_codes=["200"],
)
RUN_FINISHED = error_response(
    "The run has already ended.",
    error_example(
        "Finished", 409, "The run is already COMPLETE.", {"state": "COMPLETE"}, code="run_finished"
    ),
)
INVALID_PARAMETERS = error_response(
    "Unknown version or dataset, or parameters the version's input schema rejects.",
    error_example(
        "Bad parameters",
        400,
        "The parameters do not match the input schema of saxs-azimuthal-integration 1.0.0 "
        "(1 error).",
        {
            "parameters": [
                {
                    "path": "bins",
                    "message": "5 is less than the minimum of 10",
                    "validator": "minimum",
                }
            ]
        },
        code="invalid_parameters",
    ),
)
CRATE = OpenApiResponse(
    OpenApiTypes.BINARY,
    description="Workflow Run RO-Crate (zip): the notebook that ran (repository, commit, "
    "container image), the dataset, the parameters and the outputs with their checksums, as a "
    "CreateAction. A run that has not ended has no crate yet (404).",
)
OUTPUT = OpenApiResponse(
    OpenApiTypes.BINARY,
    description="The output file as the run wrote it, as an attachment; the Content-Type "
    "follows its name (text/csv, image/png, application/x-hdf5...).",
)
