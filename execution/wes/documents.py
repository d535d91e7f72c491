"""The GA4GH WES 1.1 documents of runs (pure functions, no HTTP): request parsing and shapes.

A WES ``workflow_url`` names a registered procedure version (``<slug>@<version>`` or
``/api/v1/procedures/<slug>/versions/<version>/``); ``workflow_params`` is a JSON object with
the data (``dataset``: a PID, or ``dataset_path``) and the notebook's ``parameters``.
"""

import json
from dataclasses import dataclass, field

from django.urls import reverse

from config.api.errors import DomainError
from execution.choices import BackendName
from execution.models import Run

WES_VERSION = "1.1.0"
WORKFLOW_TYPE = "JUPYTER"
WORKFLOW_TYPE_VERSIONS = ["4"]  # nbformat major version of the notebooks the registry runs
DATA_KEYS = ("dataset", "dataset_pid", "dataset_path")
ENGINE_KEYS = ("backend", "facility")


@dataclass
class RunRequest:
    """A validated WES run request, in the registry's terms."""

    workflow_url: str
    parameters: dict = field(default_factory=dict)
    dataset_pid: str = ""
    dataset_path: str = ""
    backend: str = ""
    facility: str = ""
    tags: dict = field(default_factory=dict)


def json_object(data, name: str, required: bool = False) -> dict:
    """Field ``name`` of a form or JSON body as a dict (multipart sends JSON text)."""
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise DomainError(f"{name} is required.", {name: ["This field is required."]})
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise DomainError(f"{name} is not valid JSON: {exc}", {name: [str(exc)]}) from None
    if not isinstance(value, dict):
        raise DomainError(f"{name} must be a JSON object.", {name: ["Expected a JSON object."]})
    return value


def text_field(data, name: str) -> str:
    """A required text field of the request."""
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise DomainError(f"{name} is required.", {name: ["This field is required."]})
    return value.strip()


def check_workflow_type(data) -> None:
    """Only Jupyter notebooks (nbformat 4) are run here."""
    workflow_type = text_field(data, "workflow_type")
    if workflow_type.upper() != WORKFLOW_TYPE:
        raise DomainError(
            f"workflow_type {workflow_type!r} is not supported; use {WORKFLOW_TYPE}.",
            {"workflow_type": [WORKFLOW_TYPE]},
            "unsupported_workflow_type",
        )
    type_version = text_field(data, "workflow_type_version")
    if type_version.split(".")[0] not in WORKFLOW_TYPE_VERSIONS:
        raise DomainError(
            f"workflow_type_version {type_version!r} is not supported.",
            {"workflow_type_version": WORKFLOW_TYPE_VERSIONS},
            "unsupported_workflow_type_version",
        )


def parse_run_request(data, files=None) -> RunRequest:
    """Validate a WES run request (multipart form or JSON); raise DomainError (400) if bad."""
    if files and files.getlist("workflow_attachment"):
        raise DomainError(
            "workflow_attachment is not supported: runs use registered procedure versions.",
            {"workflow_attachment": ["Name a registered version in workflow_url."]},
        )
    check_workflow_type(data)
    params = json_object(data, "workflow_params")
    engine = json_object(data, "workflow_engine_parameters")
    tags = json_object(data, "tags")
    parameters = params.get("parameters")
    if parameters is None:  # the params themselves, without the data keys, are the parameters
        parameters = {k: v for k, v in params.items() if k not in DATA_KEYS}
    return RunRequest(
        workflow_url=text_field(data, "workflow_url"),
        parameters=parameters,
        dataset_pid=str(params.get("dataset") or params.get("dataset_pid") or ""),
        dataset_path=str(params.get("dataset_path") or ""),
        backend=str(engine.get("backend") or ""),
        facility=str(engine.get("facility") or ""),
        tags={str(k): str(v) for k, v in tags.items()},
    )


def check_backend(name: str) -> None:
    """Refuse an unknown backend named in workflow_engine_parameters."""
    if name and name not in BackendName.values:
        raise DomainError(
            f"Unknown backend {name!r}.", {"backend": BackendName.values}, "unknown_backend"
        )


def timestamp(value) -> str | None:
    """ISO 8601 text of a datetime, or None."""
    return value.isoformat() if value else None


def without_none(document: dict) -> dict:
    """The document without keys whose value is None (WES fields are not nullable)."""
    return {k: v for k, v in document.items() if v is not None}


def run_status(run: Run) -> dict:
    """WES RunStatus."""
    return {"run_id": str(run.id), "state": run.state}


def run_summary(run: Run) -> dict:
    """WES RunSummary: status, times and tags."""
    return without_none(
        {
            **run_status(run),
            "start_time": timestamp(run.started_at or run.created_at),
            "end_time": timestamp(run.ended_at),
            "tags": {str(k): str(v) for k, v in (run.tags or {}).items()},
        }
    )


def workflow_url(run: Run) -> str:
    """The registry URL of the run's procedure version."""
    return reverse(
        "procedure-version-detail",
        kwargs={"procedure_slug": run.version.procedure.slug, "version": run.version.version},
    )


def run_request(run: Run) -> dict:
    """The WES RunRequest a run was started with."""
    params = {"parameters": run.parameters}
    if run.dataset_id:
        params["dataset"] = run.dataset.pid
    if run.dataset_path:
        params["dataset_path"] = run.dataset_path
    return {
        "workflow_params": params,
        "workflow_type": WORKFLOW_TYPE,
        "workflow_type_version": WORKFLOW_TYPE_VERSIONS[0],
        "workflow_url": workflow_url(run),
        "workflow_engine_parameters": {"backend": run.backend, "facility": run.facility_slug},
        "tags": {str(k): str(v) for k, v in (run.tags or {}).items()},
    }


def system_logs(run: Run) -> list[str]:
    """The run's state changes, and its error, as lines."""
    lines = [
        f"{e.at.isoformat()} {e.from_state or '-'} -> {e.to_state}: {e.message}"
        for e in run.events.all()
    ]
    return [*lines, run.error] if run.error else lines


def run_outputs(run: Run, absolute) -> dict:
    """Outputs: every file (URL, size, sha256), the provenance crate, the backend's URL."""
    outputs = {
        o.name: {
            "url": absolute(reverse("run-output", kwargs={"pk": run.pk, "name": o.name})),
            "size": o.size,
            "sha256": o.sha256,
        }
        for o in run.outputs.all()
    }
    if run.external_url:
        outputs["url"] = run.external_url
    if run.is_terminal:
        outputs["ro-crate"] = absolute(reverse("run-crate", kwargs={"pk": run.pk}))
    return outputs


def run_log(run: Run, absolute) -> dict:
    """WES RunLog: request, state, the run's log, the backend job as the one task, outputs."""
    log = without_none(
        {
            "name": f"{run.version.procedure.slug}@{run.version.version}",
            "start_time": timestamp(run.started_at),
            "end_time": timestamp(run.ended_at),
            "stdout": absolute(reverse("run-detail", kwargs={"pk": run.pk})),
            "exit_code": run.exit_code,
            "system_logs": system_logs(run),
        }
    )
    task = without_none(
        {
            "id": run.external_id or str(run.id),
            "name": f"{run.backend} job",
            "start_time": timestamp(run.started_at),
            "end_time": timestamp(run.ended_at),
            "exit_code": run.exit_code,
            "system_logs": [run.log[-4000:]] if run.log else [],
        }
    )
    return {
        "run_id": str(run.id),
        "request": run_request(run),
        "state": run.state,
        "run_log": log,
        "task_logs": [task],
        "outputs": run_outputs(run, absolute),
    }


def service_info(counts: dict[str, int], absolute, debug: bool) -> dict:
    """WES ServiceInfo (GA4GH service-info 1.0 plus the WES fields)."""
    return {
        "id": "org.analysis-registry.wes",
        "name": "Analysis registry WES",
        "type": {"group": "org.ga4gh", "artifact": "wes", "version": WES_VERSION},
        "description": "Runs registered analysis procedure versions (Jupyter notebooks) on "
        "datasets; workflow_url names a version, workflow_params the data and parameters.",
        "organization": {"name": "Analysis registry", "url": absolute("/")},
        "documentationUrl": absolute("/api/docs/"),
        "environment": "dev" if debug else "prod",
        "version": "1.0.0",
        "workflow_type_versions": {
            WORKFLOW_TYPE: {"workflow_type_version": WORKFLOW_TYPE_VERSIONS}
        },
        "supported_wes_versions": [WES_VERSION],
        "supported_filesystem_protocols": ["file"],
        "workflow_engine_versions": {"papermill": {"workflow_engine_version": ["2"]}},
        "default_workflow_engine_parameters": [
            {"name": "backend", "type": "string", "default_value": BackendName.LOCAL},
        ],
        "system_state_counts": counts,
        "auth_instructions_url": absolute("/api/docs/"),
        "tags": {"backends": ",".join(BackendName.values)},
    }
