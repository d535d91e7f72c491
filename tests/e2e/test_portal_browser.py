"""Scenarios in a real browser: browse, upload and analyse, register and publish."""

import pytest

from datasets.examples import EXAMPLES
from tests.e2e.conftest import log_in
from tests.portal.conftest import make_user
from tests.registry.factories import COMMIT, DIGEST

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_browse_a_technique_then_open_a_procedure(live_server, page, demo_content):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Techniques").first.click()
    page.get_by_role("heading", name="Experimental techniques").wait_for()
    page.goto(f"{live_server.url}/techniques/PaNET01188/")
    page.get_by_role("link", name="SAXS azimuthal integration").click()
    page.get_by_role("heading", name="SAXS azimuthal integration", level=1).wait_for()
    assert page.get_by_text("How to cite").is_visible()


def test_upload_then_analyse_until_the_run_completes(live_server, page, demo_content, settings):
    settings.NEXUS_DATA_ROOTS = [*settings.NEXUS_DATA_ROOTS, demo_content]
    settings.RUNS_DIR = demo_content / "runs"
    make_user("scientist")
    log_in(page, live_server.url, "scientist")
    page.goto(f"{live_server.url}/upload/")
    page.set_input_files("input[type=file]", str(demo_content / EXAMPLES["saxs"].file_name))
    page.get_by_role("button", name="Read the file").click()
    page.get_by_role("heading", name="Recommended procedures").wait_for()
    assert page.get_by_text("SAXS azimuthal integration").first.is_visible()
    # The uploaded file is not kept: analyse the registered dataset of the same sample.
    page.goto(f"{live_server.url}/datasets/10.5072/test:saxs/")
    page.get_by_role("button", name="Analyse with SAXS azimuthal integration").click()
    page.get_by_role("heading", name="Run of SAXS azimuthal integration").wait_for()
    page.locator("[data-run-state]", has_text="COMPLETE").wait_for(timeout=120_000)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the provenance crate (RO-Crate)").click()
    assert download.value.suggested_filename.endswith(".zip")


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
    page.locator("#id_commit").fill(COMMIT)
    page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Curator area").wait_for()
    page.get_by_role("button", name="Publish Browser SAXS 1.0.0").click()
    page.get_by_text("browser-saxs 1.0.0 is published.").wait_for()
    page.goto(f"{live_server.url}/techniques/PaNET01188/")
    assert page.get_by_role("link", name="Browser SAXS").is_visible()
