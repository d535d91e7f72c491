"""Scenarios in a real browser: browse, upload and analyse, register and publish."""

import json
import zipfile

import pytest

from datasets.choices import DatasetOrigin
from datasets.examples import EXAMPLES
from execution.models import Run
from tests.e2e.conftest import log_in
from tests.portal.conftest import make_user
from tests.registry.factories import COMMIT, DIGEST

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# From the root of the PaNET tree down to small angle X-ray scattering.
SAXS_BRANCH = [
    "photon and neutron technique",
    "defined by experimental physical process",
    "scattering-based techniques",
    "low momentum transfer scattering-based techniques",
    "small angle scattering-based techniques",
]


def test_requests_to_other_origins_are_aborted_and_fail_the_test(
    live_server, page, foreign_requests
):
    page.goto(f"{live_server.url}/accounts/login/")
    fetched = page.evaluate(
        "fetch('https://cdn.example.org/lib.js').then(() => 'loaded', () => 'aborted')"
    )
    assert fetched == "aborted" and foreign_requests == ["https://cdn.example.org/lib.js"]
    foreign_requests.clear()  # else the page fixture fails this test, as it should the others


def open_branch(page, label: str) -> None:
    """Open the tree node ``label`` (a <details>) unless it is open already."""
    link = page.get_by_role("link", name=label, exact=True)
    summary = page.locator("summary", has=link).first
    if summary.evaluate("node => !node.parentElement.open"):
        summary.locator(".count").click()
    link.first.wait_for()


def test_browse_a_technique_then_open_a_procedure(live_server, page, demo_content):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Techniques").first.click()
    page.get_by_role("heading", name="Experimental techniques").wait_for()
    for label in SAXS_BRANCH:
        open_branch(page, label)
    page.get_by_role("link", name="small angle x-ray scattering", exact=True).first.click()
    page.get_by_role("heading", name="small angle x-ray scattering", level=1).wait_for()
    assert page.url == f"{live_server.url}/techniques/PaNET01188/"
    page.get_by_role("link", name="SAXS azimuthal integration").click()
    page.get_by_role("heading", name="SAXS azimuthal integration", level=1).wait_for()
    assert page.get_by_text("How to cite").is_visible()


def crate_graph(path) -> dict:
    """The entities of a downloaded run crate by @id, and the names of the files in the zip."""
    with zipfile.ZipFile(path) as crate:
        metadata = json.loads(crate.read("ro-crate-metadata.json"))
        names = set(crate.namelist())
    return {entity["@id"]: entity for entity in metadata["@graph"]}, names


def test_upload_then_analyse_until_the_run_completes(live_server, page, demo_content, settings):
    settings.MEDIA_ROOT = demo_content / "media"
    settings.RUNS_DIR = demo_content / "runs"
    scientist = make_user("scientist")
    log_in(page, live_server.url, "scientist")
    page.get_by_role("link", name="Upload", exact=True).click()
    page.get_by_label("Drop a NeXus file here, or choose one").set_input_files(
        str(demo_content / EXAMPLES["saxs"].file_name)
    )
    page.get_by_role("button", name="Read the file").click()
    page.get_by_role("heading", name="Recommended procedures").wait_for()
    page.get_by_text("This browser kept").wait_for()  # the file goes again with Analyse
    assert not run_count(), "reading a file starts nothing"
    analyse = page.get_by_role("button", name="Analyse with SAXS azimuthal integration")
    recommended = analyse.locator("xpath=..").locator("input[name=version]").input_value()
    analyse.click()
    page.get_by_role("heading", name="Run of SAXS azimuthal integration").wait_for()
    assert page.get_by_text("was stored and registered as your private dataset").is_visible()
    page.locator("[data-run-state]", has_text="COMPLETE").wait_for(timeout=120_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the provenance crate (RO-Crate)").click()
    assert download.value.suggested_filename.endswith(".zip")

    run = Run.objects.select_related("dataset").get()
    assert run.owner == scientist and run.dataset.origin == DatasetOrigin.UPLOAD
    assert not run.dataset.is_public and run.dataset.owner == scientist
    entities, files = crate_graph(download.value.path())
    action = entities[f"#run-{run.pk}"]
    workflow = entities[action["instrument"]["@id"]]
    assert run.version.version == recommended
    assert workflow["identifier"] == f"saxs-azimuthal-integration@{recommended}"
    assert workflow["version"] == recommended
    outputs = {entities[ref["@id"]]["name"] for ref in action["result"]}
    assert outputs and outputs == set(run.outputs.values_list("name", flat=True))
    assert {f"outputs/{name}" for name in outputs} <= files
    inputs = [entities[ref["@id"]] for ref in action["object"]]
    assert run.dataset.pid in [entity.get("identifier") for entity in inputs]


def run_count() -> int:
    """How many runs there are."""
    return Run.objects.count()


def test_curator_fixes_a_mistake_publishes_and_finds_the_procedure(live_server, page, demo_content):
    make_user("curator", ["esrf"])
    log_in(page, live_server.url, "curator")
    page.get_by_role("link", name="Curator area").click()
    page.get_by_role("link", name="Register a procedure").click()
    fields = {
        "name": "Browser SAXS", "slug": "browser-saxs", "summary": "Registered in a browser.",
        "techniques": "PaNET01188", "repository": "https://github.com/example/b.git",
        "commit": "not-a-commit", "entry_point": "analysis.ipynb",
        "container": f"ghcr.io/example/b:1.0.0@{DIGEST}",
    }  # fmt: skip
    for name, value in fields.items():
        page.locator(f"#id_{name}").fill(value)
    page.get_by_label("ESRF").check()
    page.get_by_role("button", name="Register").click()
    error = page.locator("#id_commit_errors")
    error.wait_for()
    assert "40-hex" in error.inner_text()
    assert page.locator("#id_commit").input_value() == "not-a-commit"
    page.locator("#id_commit").fill(COMMIT)
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Curator area").wait_for()
    page.get_by_role("button", name="Publish Browser SAXS 1.0.0").click()
    page.get_by_text("browser-saxs 1.0.0 is published.").wait_for()
    page.get_by_role("link", name="Techniques").first.click()
    for label in SAXS_BRANCH:
        open_branch(page, label)
    page.get_by_role("link", name="small angle x-ray scattering", exact=True).first.click()
    page.get_by_role("heading", name="small angle x-ray scattering", level=1).wait_for()
    assert page.get_by_role("link", name="Browser SAXS").is_visible()
