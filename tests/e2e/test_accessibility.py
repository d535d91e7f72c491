"""Keyboard use and labels on the key pages: the skip link comes first, every form control
has a label, every button a name, and each page one h1."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import SAXS_DATASET, log_in
from tests.portal.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEY_PAGES = [
    "/",
    "/?q=saxs",
    "/techniques/",
    "/techniques/PaNET01188/",
    "/procedures/saxs-azimuthal-integration/",
    f"/datasets/{SAXS_DATASET}/",
    "/upload/",
    "/curator/register/",
    "/curator/manifest/",
]

# Form controls (not hidden inputs) without a <label>, aria-label or aria-labelledby, and
# buttons without a name: what a screen reader could not announce.
UNNAMED = """() => {
  const controls = [...document.querySelectorAll("input, select, textarea")]
    .filter(el => el.type !== "hidden")
    .filter(el => !el.labels.length && !el.getAttribute("aria-label")
                  && !el.getAttribute("aria-labelledby"));
  const buttons = [...document.querySelectorAll("button, [role=button]")]
    .filter(el => !(el.getAttribute("aria-label") || el.textContent).trim());
  return [...controls, ...buttons].map(el => el.outerHTML.slice(0, 120));
}"""

# Move the keyboard's starting point to the top of the document.
FROM_THE_TOP = """() => {
  const start = document.createElement("span");
  start.tabIndex = -1;
  document.body.prepend(start);
  start.focus();
  start.remove();
}"""


def check_page(page) -> None:
    """The checks of one loaded page (assertion messages name the page)."""
    where = page.url
    assert page.locator("h1").count() == 1, f"{where}: not exactly one h1"
    assert page.evaluate(UNNAMED) == [], f"{where}: unlabelled controls"
    if page.evaluate("document.activeElement !== document.body"):
        # The page focused a field on load (the login form does): Tab from the top instead.
        page.evaluate(FROM_THE_TOP)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content", f"{where}: first Tab stop is {focused!r}"
    page.keyboard.press("Enter")
    try:  # following the link to #content is a navigation: give it a moment to land
        page.wait_for_function("document.activeElement.id === 'content'", timeout=3000)
    except PlaywrightTimeoutError:
        focused = page.evaluate("document.activeElement.id || document.activeElement.tagName")
        raise AssertionError(f"{where}: skip link leaves the focus on {focused!r}") from None


def test_key_pages_are_usable_by_keyboard_and_labelled(live_server, page, saxs_dataset):
    make_user("curator", ["esrf"])
    page.goto(f"{live_server.url}/accounts/login/")
    check_page(page)
    log_in(page, live_server.url, "curator")
    for path in KEY_PAGES:
        page.goto(live_server.url + path)
        check_page(page)
    page.goto(f"{live_server.url}/upload/")
    page.get_by_label("Drop a NeXus file here, or choose one").set_input_files(
        str(saxs_dataset.source_path)
    )
    page.get_by_role("button", name="Read the file").click()
    page.get_by_role("heading", name="Recommended procedures").wait_for()
    check_page(page)  # the results, with their Analyse forms
