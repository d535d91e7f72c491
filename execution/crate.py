"""Provenance: a Workflow Run RO-Crate for every finished run, and reading one back to rerun it.

The crate holds the notebook that ran (the main entity, with its repository, commit and
container image), the dataset (PID, path, checksum), the parameters, the outputs with their
checksums, start and end times, the agent and the backend, as a CreateAction.
"""

import json
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from rocrate.model.contextentity import ContextEntity
from rocrate.rocrate import ROCrate

from execution.backends.local import recorded_job, run_directory, sha256_of
from execution.choices import RunState
from execution.code import entry_point_path

PROFILES = [
    "https://w3id.org/ro/wfrun/process/0.5",
    "https://w3id.org/ro/wfrun/workflow/0.5",
    "https://w3id.org/workflowhub/workflow-ro-crate/1.0",
]
NOTEBOOK_IN_CRATE = "analysis.ipynb"
CRATE_FILE = "crate.zip"
ACTION_STATUS = {
    RunState.COMPLETE: "http://schema.org/CompletedActionStatus",
    RunState.CANCELED: "http://schema.org/FailedActionStatus",
}


def crate_path(run) -> Path:
    """Where the zipped crate of ``run`` is kept."""
    return Path(settings.RUNS_DIR) / str(run.id) / CRATE_FILE


def iso(moment) -> str | None:
    """ISO 8601 text of a datetime, or None."""
    return moment.isoformat() if moment else None


def add_entity(crate: ROCrate, identifier: str, properties: dict) -> ContextEntity:
    """Add a contextual entity with ``properties``."""
    return crate.add(ContextEntity(crate, identifier, properties=properties))


def add_workflow(crate: ROCrate, run):
    """The notebook as the main entity, with its code and container provenance."""
    version = run.version
    properties = {
        "@type": ["File", "SoftwareSourceCode", "ComputationalWorkflow"],
        "name": f"{version.procedure.name} {version.version}",
        "version": version.version,
        "identifier": f"{version.procedure.slug}@{version.version}",
        "codeRepository": version.code_repository,
        "codeCommit": version.code_commit,
        "entryPoint": version.entry_point,
        "programmingLanguage": {"@id": "#jupyter"},
    }
    add_entity(
        crate,
        "#jupyter",
        {
            "@type": "ComputerLanguage",
            "name": "Jupyter notebook",
            "url": {"@id": "https://jupyter.org"},
        },
    )
    job = recorded_job(run_directory(run))
    code = job.get("code") or {}
    if code:
        properties["codeCommitVerified"] = code["verified"]
        properties["description"] = code["note"]
    try:
        source = Path(job["notebook"]) if job.get("notebook") else None
        if source is None or not source.is_file():
            source = entry_point_path(version.code_repository, version.entry_point)
        workflow = crate.add_file(source, dest_path=NOTEBOOK_IN_CRATE, properties=properties)
    except Exception:  # the working copy may be gone: describe the notebook without its file
        workflow = add_entity(crate, f"{version.code_repository}#{version.entry_point}", properties)
    crate.mainEntity = workflow
    if version.container_image:
        image, _, digest = version.container_image.partition("@")
        workflow["image"] = add_entity(
            crate,
            "#container",
            {
                "@type": "ContainerImage",
                "name": image,
                "sha256": digest.removeprefix("sha256:"),
                "identifier": version.container_image,
            },
        )
    return workflow


def dataset_properties(run) -> dict:
    """The input dataset: its PID when registered, its path, and its checksum (the registered
    one, else computed from the file the run read)."""
    dataset, path = run.dataset, run.dataset_path
    checksum = dataset.source_sha256 if dataset else ""
    if not checksum and path and Path(path).is_file():
        checksum = sha256_of(Path(path))
    properties = {
        "@type": "File",
        "name": dataset.title if dataset else Path(path).name,
        "sha256": checksum,
        "contentUrl": Path(path).as_uri() if path else "",
        "path": path,
    }
    if dataset:
        properties["identifier"] = dataset.pid
    return {key: value for key, value in properties.items() if value or key == "name"}


def add_inputs(crate: ROCrate, run) -> list:
    """The dataset and the parameters, as the action's objects."""
    objects = []
    if run.dataset_path or run.dataset:
        objects.append(add_entity(crate, "#input-dataset", dataset_properties(run)))
    for name, value in sorted(run.parameters.items()):
        objects.append(
            add_entity(
                crate,
                f"#param-{name}",
                {
                    "@type": "PropertyValue",
                    "name": name,
                    "value": json.dumps(value),
                    "encodingFormat": "application/json",
                },
            )
        )
    return objects


def add_outputs(crate: ROCrate, run) -> list:
    """The output files, copied into outputs/, with their checksums."""
    output_dir = Path(settings.RUNS_DIR) / str(run.id) / "outputs"
    results = []
    for output in run.outputs.all():
        properties = {"name": output.name, "sha256": output.sha256, "contentSize": output.size}
        source = output_dir / output.name
        if source.is_file():
            results.append(
                crate.add_file(source, dest_path=f"outputs/{output.name}", properties=properties)
            )
        else:
            results.append(
                add_entity(crate, f"#output-{output.name}", {"@type": "File", **properties})
            )
    if run.external_url:
        results.append(
            add_entity(crate, run.external_url, {"@type": "WebPage", "name": "Launch URL"})
        )
    return results


def build_crate(run) -> ROCrate:
    """The Workflow Run RO-Crate of ``run``."""
    crate = ROCrate()
    crate.root_dataset["conformsTo"] = [{"@id": p} for p in PROFILES]
    crate.name = f"Run {run.id} of {run.version}"
    crate.description = f"Provenance of run {run.id}: {run.state} on backend {run.backend}."
    workflow = add_workflow(crate, run)
    agent = add_entity(
        crate,
        f"#user-{run.owner.get_username()}",
        {"@type": "Person", "name": run.owner.get_full_name() or run.owner.get_username()},
    )
    engine = add_entity(
        crate,
        f"#backend-{run.backend}",
        {
            "@type": "SoftwareApplication",
            "name": f"analysis registry, backend {run.backend}",
        },
    )
    action = add_entity(
        crate,
        f"#run-{run.id}",
        {
            "@type": "CreateAction",
            "name": crate.name,
            "identifier": str(run.id),
            "instrument": {"@id": workflow.id},
            "object": [{"@id": o.id} for o in add_inputs(crate, run)],
            "result": [{"@id": r.id} for r in add_outputs(crate, run)],
            "startTime": iso(run.started_at or run.created_at),
            "endTime": iso(run.ended_at),
            "agent": {"@id": agent.id},
            "actionStatus": ACTION_STATUS.get(run.state, "http://schema.org/FailedActionStatus"),
            "backend": run.backend,
            "externalId": run.external_id,
            **({"error": run.error} if run.error else {}),
        },
    )
    add_entity(
        crate,
        f"#organize-{run.id}",
        {
            "@type": "OrganizeAction",
            "name": f"Orchestration by backend {run.backend}",
            "instrument": {"@id": engine.id},
            "result": {"@id": action.id},
            "agent": {"@id": agent.id},
        },
    )
    crate.root_dataset["mentions"] = [{"@id": action.id}]
    return crate


def write_run_crate(run) -> Path:
    """Write the zipped crate of ``run`` next to its work directory."""
    target = crate_path(run)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name("crate.partial.zip")
    written = build_crate(run).write_zip(str(temporary))
    Path(written or temporary).replace(target)
    return target


class CrateError(ValueError):
    """A file that is not a run crate this registry wrote, with the reason why."""


def crate_graph(into: Path) -> list[dict]:
    """The ``@graph`` of an unpacked crate's ro-crate-metadata.json."""
    path = into / "ro-crate-metadata.json"
    if not path.is_file():
        raise CrateError("it has no ro-crate-metadata.json")
    try:
        metadata = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CrateError(f"ro-crate-metadata.json is not JSON ({exc})") from exc
    graph = metadata.get("@graph") if isinstance(metadata, dict) else None
    if not isinstance(graph, list) or not all(isinstance(e, dict) for e in graph):
        raise CrateError("ro-crate-metadata.json is not a JSON object with an @graph of entities")
    return graph


def has_type(entity: dict, name: str) -> bool:
    """True when ``entity``'s @type is ``name`` or a list holding it."""
    types = entity.get("@type")
    return name == types or (isinstance(types, list) and name in types)


def referenced(by_id: dict, refs) -> list[dict]:
    """The entities that a list of ``{"@id": ...}`` references (or a single one) names."""
    refs = refs if isinstance(refs, list) else [refs] if refs else []
    try:
        return [by_id[ref["@id"]] for ref in refs]
    except (KeyError, TypeError) as exc:
        raise CrateError(f"the run refers to an entity the crate does not hold: {exc}") from exc


def read_run_crate(zip_path: Path, into: Path) -> dict:
    """Unpack a run crate and return what a rerun needs: notebook, dataset, parameters, outputs.

    Raises :class:`CrateError` saying why when the file is not a run crate.
    """
    try:
        shutil.unpack_archive(str(zip_path), str(into), "zip")
    except (OSError, ValueError) as exc:
        raise CrateError(f"it is not a zip archive ({exc})") from exc
    graph = crate_graph(into)
    by_id = {entity.get("@id"): entity for entity in graph}
    action = next((e for e in graph if has_type(e, "CreateAction")), None)
    if action is None:
        raise CrateError("it records no run (no CreateAction in its metadata)")
    objects = referenced(by_id, action.get("object"))
    try:
        parameters = {
            entity["name"]: json.loads(entity["value"])
            for entity in objects
            if has_type(entity, "PropertyValue")
        }
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise CrateError(f"a parameter of the run is not a name with a JSON value ({exc})") from exc
    dataset = by_id.get("#input-dataset", {})
    outputs = {
        entity.get("name", entity["@id"]): entity.get("sha256", "")
        for entity in referenced(by_id, action.get("result"))
        if has_type(entity, "File")
    }
    return {
        "run_id": action.get("identifier", ""),
        "notebook": into / NOTEBOOK_IN_CRATE,
        "dataset_path": dataset.get("path", ""),
        "dataset_sha256": dataset.get("sha256", ""),
        "parameters": parameters,
        "outputs": outputs,
    }


def temporary_directory() -> tempfile.TemporaryDirectory:
    """A scratch folder for unpacking crates."""
    return tempfile.TemporaryDirectory(prefix="run-crate-")
