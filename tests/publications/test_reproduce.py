"""Reproducing the demo publications through the execution layer (local backend, eager Celery)."""

import io
import json
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from execution.choices import BackendName
from execution.models import Run
from publications import services
from publications.models import Publication

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def reproduce_now(doi, user, capture):
    """Start a reproduction, let its runs execute (on commit, eagerly), then compare."""
    with capture(execute=True):
        reproduction = services.reproduce(services.get_publication(doi), user, wait_seconds=0)
    return services.refresh_reproduction(reproduction)


def test_demo_publications_reproduce_and_the_altered_one_differs(
    demo_content, scientist, django_capture_on_commit_callbacks
):
    demo = Publication.objects.filter(is_demo=True)
    assert demo.count() == 4 and all(p.doi.startswith("10.5072/") for p in demo)
    for doi in ("10.5072/demo.saxs-silica", "10.5072/demo.cu-xas", "10.5072/demo.si-powder"):
        reproduction = reproduce_now(doi, scientist, django_capture_on_commit_callbacks)
        verdicts = {c.result.label: (c.status, c.message) for c in reproduction.comparisons.all()}
        assert reproduction.status == "reproduced", verdicts
    altered = reproduce_now(
        "10.5072/demo.si-powder-altered", scientist, django_capture_on_commit_callbacks
    )
    assert altered.status == "differs"
    comparison = altered.comparisons.get()
    assert comparison.details["kind"] == "numeric_deviation"
    assert comparison.details["field"] == "row 3, column height"
    assert "row 3, column height" in comparison.message and "1297.6" in comparison.message
    assert comparison.run.state == "COMPLETE"


def test_api_list_filters_detail_and_reproduce(
    demo_content, api, django_capture_on_commit_callbacks
):
    listed = api.get("/api/v1/publications/").json()
    assert listed["count"] == 4
    saxs = "http://purl.org/pan-science/PaNET/PaNET01188"
    by_technique = api.get("/api/v1/publications/", {"technique": saxs}).json()
    assert [p["doi"] for p in by_technique["results"]] == ["10.5072/demo.saxs-silica"]
    broader = api.get(
        "/api/v1/publications/", {"procedure": "powder-peak-search", "year": 2025}
    ).json()
    assert broader["count"] == 2
    by_dataset = api.get("/api/v1/publications/", {"dataset": "10.5072/demo:xas"}).json()
    assert [p["doi"] for p in by_dataset["results"]] == ["10.5072/demo.cu-xas"]
    assert api.get("/api/v1/publications/", {"q": "altered"}).json()["count"] == 1
    detail = api.get("/api/v1/publications/10.5072/DEMO.si-powder/")
    assert detail.status_code == 200 and detail.json()["results"][0]["label"] == "Table 1"
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post("/api/v1/publications/10.5072/demo.si-powder-altered/reproduce/")
    assert started.status_code in (201, 202)
    shown = api.get("/api/v1/publications/10.5072/demo.si-powder-altered/reproductions/").json()
    reproduction = shown["results"][0]
    assert reproduction["status"] == "differs"
    run = reproduction["comparisons"][0]["run"]
    assert run["state"] == "COMPLETE" and run["crate_url"].endswith("/crate.zip")
    assert api.get(run["crate_url"]).status_code == 200


def test_api_errors_in_the_one_shape(demo_content, api, client):
    missing = api.get("/api/v1/publications/10.5072/nothing-here/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    anonymous = client.post("/api/v1/publications/10.5072/demo.si-powder/reproduce/")
    assert anonymous.status_code in (401, 403) and "error" in anonymous.json()
    unknown = api.post("/api/v1/publications/10.5072/demo.si-powder/modify/", {"result": "Fig 9"})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "unknown_result"


def test_modify_opens_the_same_version_and_dataset_on_jupyterhub(
    demo_content, api, scientist, django_capture_on_commit_callbacks, settings
):
    """The run is created, not dispatched (no commit): it needs JupyterHub configured, not
    running (tests/execution test the real hub)."""
    settings.JUPYTERHUB_API_TOKEN = settings.JUPYTERHUB_API_TOKEN or "unused: never dispatched"
    publication = services.get_publication("10.5072/demo.cu-xas")
    with django_capture_on_commit_callbacks(execute=False):
        run = services.open_for_modification(publication, scientist, label="Table 2")
    result = publication.results.get(label="Table 2")
    assert run.backend == BackendName.JUPYTERHUB
    assert run.version == result.version and run.dataset == result.dataset
    assert run.version.code_commit == result.version.code_commit


def test_register_modified_version_names_its_base(demo_content):
    original = services.find_version("powder-peak-search@1.0.0")
    registration = services.register_modified_version(
        original, "1.0.1", "0123456789abcdef0123456789abcdef01234567", None
    )
    assert registration.versions == {"1.0.1": "created"}
    new = services.find_version("powder-peak-search@1.0.1")
    assert new.base_version == original and new.status == "draft"
    assert new.code_commit.startswith("0123456789")


def test_technique_filter_takes_short_ids_and_refuses_unknown_ones_like_procedures(
    demo_content, api
):
    saxs = api.get("/api/v1/publications/", {"technique": "PaNET01188"}).json()
    assert [p["doi"] for p in saxs["results"]] == ["10.5072/demo.saxs-silica"]
    for url in ("/api/v1/publications/", "/api/v1/procedures/"):
        unknown = api.get(url, {"technique": "PaNET99999"})
        assert unknown.status_code == 400, url
        assert unknown.json()["error"]["code"] == "unknown_technique"


def test_facility_filter(demo_content, api):
    def dois(facility):
        found = api.get("/api/v1/publications/", {"facility": facility}).json()["results"]
        return sorted(p["doi"] for p in found)

    assert dois("isis") == ["10.5072/demo.si-powder", "10.5072/demo.si-powder-altered"]
    assert dois("maxiv") == ["10.5072/demo.cu-xas", "10.5072/demo.saxs-silica"]
    assert dois("no-such-facility") == []


def test_bundle_download_leaves_no_temporary_files(demo_content, api, tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    response = api.get("/api/v1/publications/10.5072/demo.cu-xas/crate.zip")
    assert response.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).testzip() is None
    response.close()
    assert list(scratch.iterdir()) == []


def write_results(folder, **changes) -> Path:
    """A results file for a new publication re-using the demo silicon pattern."""
    expected = Path(settings.BASE_DIR) / "fixtures/publications/expected/si-peaks.csv"
    (folder / "si-peaks.csv").write_text(expected.read_text())
    entry = {"label": "Table 1", "version": "powder-peak-search@1.0.0",
             "dataset": "10.5072/demo:powder-diffraction", "output": "peaks.csv",
             "tolerance": {"absolute": 0.01}, "expected": "si-peaks.csv", **changes}  # fmt: skip
    path = folder / "results.yaml"
    path.write_text(yaml.safe_dump({"results": [entry]}))
    return path


RECORD = Path(__file__).parent / "records" / "csl.json"


@pytest.mark.django_db(transaction=True)
def test_import_with_results_then_reproduce_through_the_commands(demo_content, tmp_path):
    out = io.StringIO()
    call_command("import_publication", str(RECORD), "--results", str(write_results(tmp_path)),
                 stdout=out)  # fmt: skip
    assert out.getvalue().strip().endswith("(1 result(s))")
    publication = Publication.objects.get(doi="10.5072/test.csl-01")
    assert list(publication.datasets.values_list("pid", flat=True)) == [
        "10.5072/demo:powder-diffraction"
    ]
    out = io.StringIO()
    call_command("reproduce", publication.doi, "--json", "--wait", "120", stdout=out)
    shown = json.loads(out.getvalue())
    assert shown["status"] == "reproduced"
    run = shown["comparisons"][0]["run"]  # the operator's command shows the runs it started
    assert run["crate_url"] == f"/api/v1/runs/{run['id']}/crate.zip"
    assert Run.objects.get(pk=run["id"]).owner.username == "reproducer"


@pytest.mark.django_db(transaction=True)
def test_an_output_the_run_does_not_make_is_missing(demo_content, tmp_path):
    results = write_results(tmp_path, output="no-such-output.csv")
    call_command("import_publication", str(RECORD), "--results", str(results))
    out = io.StringIO()
    with pytest.raises(CommandError, match="was not reproduced: differs"):
        call_command("reproduce", "10.5072/test.csl-01", "--json", "--wait", "120", stdout=out)
    comparison = json.loads(out.getvalue())["comparisons"][0]
    assert comparison["status"] == "missing"
    assert comparison["details"] == {"kind": "missing_file", "output": "no-such-output.csv"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"dataset": "10.5072/nope"}, "no dataset"),
        ({"version": "powder-peak-search@9.9.9"}, "No procedure version"),
        ({"expected": "../../etc/passwd"}, "No expected values file"),
        ({"tolerance": None, "expected": None}, "needs a sha256 or a tolerance"),
    ],
)
def test_a_bad_results_file_writes_nothing(demo_content, tmp_path, changes, message):
    results = write_results(tmp_path, **changes)
    with pytest.raises(CommandError, match=message):
        call_command("import_publication", str(RECORD), "--results", str(results))
    assert not Publication.objects.filter(doi="10.5072/test.csl-01").exists()


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_refuses_the_whole_reproduction(
    demo_content, api, unreachable_broker
):
    """Two runs, the broker refuses the first: 503, and neither run nor the reproduction is
    left behind (before, the second run stayed QUEUED with no task)."""
    from publications.models import Reproduction

    response = api.post("/api/v1/publications/10.5072/demo.saxs-silica/reproduce/")
    assert response.status_code == 503, response.content
    assert response.json()["error"]["code"] == "service_unavailable"
    assert not Run.objects.exists()
    assert not Reproduction.objects.exists()
