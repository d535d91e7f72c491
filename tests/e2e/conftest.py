"""Browser tests: Debian's chromium driven headless by playwright against a live server."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import require
from tests.portal.conftest import PASSWORD, SAXS_DATASET, make_user  # noqa: F401

# playwright's sync API runs an event loop in this thread; Django's ORM must still be usable.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """The demo content, loaded for every test (live_server tests flush the database)."""
    return django_db_setup


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the session."""
    require(CHROMIUM.exists(), f"{CHROMIUM} missing: apt-get install chromium fonts-liberation")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def foreign_requests():
    """URLs the browser asked for outside the live server (the page fixture aborts them)."""
    return []


@pytest.fixture
def page(browser, live_server, foreign_requests):
    """A fresh browser page (own cookies) that may load nothing but the live server.

    Pages must not use a CDN or any other site: every request to another origin is aborted
    and recorded, and the test fails if there was one.
    """
    own = urlsplit(live_server.url)[:2]
    context = browser.new_context()

    def only_the_live_server(route):
        if urlsplit(route.request.url)[:2] == own:
            route.continue_()
        else:
            foreign_requests.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_live_server)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
    assert not foreign_requests, f"pages asked for other origins: {foreign_requests}"


@pytest.fixture
def demo_content(transactional_db, tmp_path):
    """Load the demo content into the (flushed) live-server database and write the SAXS example
    file into ``tmp_path`` (not registered: see ``saxs_dataset``)."""
    from datasets.examples import write_examples
    from ontologies.services import load_snapshot
    from registry import demo

    load_snapshot()
    demo.load_facilities()
    demo.load_procedures(progress=False)
    write_examples(tmp_path, ["saxs"])
    return tmp_path


@pytest.fixture
def saxs_dataset(demo_content):
    """The SAXS example registered as the public dataset ``SAXS_DATASET``."""
    from datasets.examples import EXAMPLES
    from datasets.services import register_dataset

    return register_dataset(demo_content / EXAMPLES["saxs"].file_name, pid=SAXS_DATASET).dataset


def log_in(page, base_url: str, username: str) -> None:
    """Log in through the login page."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base_url}/")
