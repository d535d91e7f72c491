"""The Workflow Run RO-Crate of a run, read as its metadata graph, and ``manage.py rerun``."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from datasets.models import Dataset
from execution import services
from execution.choices import RunState
from execution.crate import crate_path
from tests.execution.conftest import DATA_DIR, TEST_REPOSITORY

pytestmark = pytest.mark.django_db
NOTEBOOK = DATA_DIR / "tiny" / "analysis.ipynb"


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def finished_run(capture, **kwargs):
    """A run of the tiny procedure, run to the end (eagerly, on commit)."""
    with capture(execute=True):
        run = services.create_run(**kwargs)
    run.refresh_from_db()
    assert run.state == RunState.COMPLETE, (run.error, run.log)
    return run


def metadata(run) -> tuple[dict, zipfile.ZipFile]:
    """The crate's entities by @id, and the archive."""
    archive = zipfile.ZipFile(crate_path(run))
    graph = json.loads(archive.read("ro-crate-metadata.json"))["@graph"]
    return {entity["@id"]: entity for entity in graph}, archive


def action_of(entities: dict) -> dict:
    """The CreateAction of the run."""
    (action,) = [e for e in entities.values() if e.get("@type") == "CreateAction"]
    return action


def test_the_crate_records_code_container_dataset_parameters_outputs_times_agent_backend(
    version, user, data_file, django_capture_on_commit_callbacks
):
    checksum = sha256(data_file.read_bytes())
    Dataset.objects.create(
        pid="10.5072/crate-test", title="Crate test data", source_path=str(data_file),
        source_sha256=checksum,
    )  # fmt: skip
    run = finished_run(
        django_capture_on_commit_callbacks, version=version, owner=user,
        dataset_pid="10.5072/crate-test", parameters={"scale": 3, "sleep_seconds": 0},
    )  # fmt: skip
    entities, archive = metadata(run)
    action = action_of(entities)

    workflow = entities[entities["./"]["mainEntity"]["@id"]]
    assert action["instrument"] == {"@id": workflow["@id"]}
    assert workflow["codeRepository"] == TEST_REPOSITORY
    assert workflow["codeCommit"] == version.code_commit
    assert workflow["entryPoint"] == version.entry_point
    image = entities[workflow["image"]["@id"]]
    assert image["identifier"] == version.container_image
    assert image["sha256"] == "a" * 64

    objects = [entities[ref["@id"]] for ref in action["object"]]
    (dataset,) = [e for e in objects if e["@id"] == "#input-dataset"]
    assert dataset["identifier"] == "10.5072/crate-test"
    assert dataset["sha256"] == checksum and dataset["path"] == str(data_file)
    parameters = {e["name"]: json.loads(e["value"]) for e in objects if e is not dataset}
    assert parameters == run.parameters == {"scale": 3, "sleep_seconds": 0}

    results = [entities[ref["@id"]] for ref in action["result"]]
    recorded = {o.name: o.sha256 for o in run.outputs.all()}
    assert {e["name"]: e["sha256"] for e in results} == recorded
    for entity in results:
        assert sha256(archive.read(entity["@id"])) == entity["sha256"]

    assert action["startTime"] == run.started_at.isoformat()
    assert action["endTime"] == run.ended_at.isoformat()
    assert run.started_at <= run.ended_at
    agent = entities[action["agent"]["@id"]]
    assert agent["@type"] == "Person" and agent["name"] == user.get_username()
    assert action["backend"] == "local"
    assert action["actionStatus"] == "http://schema.org/CompletedActionStatus"
    (organize,) = [e for e in entities.values() if e.get("@type") == "OrganizeAction"]
    assert entities[organize["instrument"]["@id"]]["name"].endswith("backend local")


def test_a_run_from_a_path_records_the_checksum_of_the_file_it_read(
    version, user, data_file, django_capture_on_commit_callbacks
):
    run = finished_run(
        django_capture_on_commit_callbacks, version=version, owner=user,
        dataset_path=str(data_file),
    )  # fmt: skip
    dataset = metadata(run)[0]["#input-dataset"]
    assert dataset["sha256"] == sha256(data_file.read_bytes())
    assert dataset["path"] == str(data_file) and "identifier" not in dataset


# rerun ------------------------------------------------------------------------------------


@pytest.fixture
def path_crate(version, user, data_file, django_capture_on_commit_callbacks):
    """The crate of a finished run that read ``data_file`` by path."""
    run = finished_run(
        django_capture_on_commit_callbacks, version=version, owner=user,
        dataset_path=str(data_file),
    )  # fmt: skip
    return crate_path(run)


def rerun(*args) -> tuple[str, str]:
    """Run ``manage.py rerun``; its stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command("rerun", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_rerun_checks_the_input_and_shows_progress_cell_by_cell(path_crate):
    out, err = rerun(path_crate)
    assert "All outputs match." in out
    assert "matches the recorded sha256" in err
    cells = len(json.loads(NOTEBOOK.read_text())["cells"]) + 1  # + papermill's parameters
    assert "Re-executing analysis.ipynb" in err and f"{cells}/{cells} cells" in err


def test_rerun_reports_a_dataset_that_differs_from_the_recorded_one(path_crate, data_file):
    recorded = sha256(data_file.read_bytes())
    data_file.write_bytes(b"other data")
    err = io.StringIO()
    with pytest.raises(CommandError, match="differ from the crate"):
        call_command("rerun", str(path_crate), stdout=io.StringIO(), stderr=err)
    message = err.getvalue()
    assert "differs from the one the run read" in message
    assert recorded in message and sha256(b"other data") in message


def test_rerun_of_a_missing_dataset_says_so(path_crate, data_file):
    data_file.unlink()
    with pytest.raises(CommandError, match="does not exist here; pass --dataset-path"):
        rerun(path_crate)


def write_zip(path, metadata_text: str):
    """A zip holding only ``ro-crate-metadata.json``."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("ro-crate-metadata.json", metadata_text)
    return path


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("[1, 2]", "not a JSON object with an @graph"),
        ("{not json", "ro-crate-metadata.json is not JSON"),
        (json.dumps({"@graph": [{"@id": "./", "@type": "Dataset"}]}), "no CreateAction"),
        (
            json.dumps(
                {"@graph": [{"@id": "#run", "@type": "CreateAction", "object": [{"@id": "#gone"}]}]}
            ),  # fmt: skip
            "refers to an entity the crate does not hold",
        ),
    ],
)
def test_rerun_of_something_that_is_not_a_run_crate_says_why(tmp_path, content, reason):
    crate = write_zip(tmp_path / "crate.zip", content)
    with pytest.raises(CommandError, match="is not a run crate: .+") as refused:
        rerun(crate)
    assert reason in str(refused.value)


def test_rerun_of_a_file_that_is_not_a_zip_says_so(tmp_path):
    crate = tmp_path / "crate.zip"
    crate.write_text("hello")
    with pytest.raises(CommandError, match="is not a run crate: it is not a zip archive"):
        rerun(crate)
