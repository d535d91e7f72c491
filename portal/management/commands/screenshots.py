"""``screenshots``: a PNG of every portal page, taken by headless chromium against runserver."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from datasets.demo import demo_dataset_pid, demo_examples_dir
from datasets.examples import EXAMPLES

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SAXS_PID = demo_dataset_pid("saxs")
SAXS_FILE = EXAMPLES["saxs"].file_name
DEMO_PUBLICATION = "/publications/10.5072/demo.saxs-silica/"
PUBLIC_PAGES = [
    ("home", "/"),
    ("search", "/?q=saxs"),
    ("techniques", "/techniques/"),
    ("technique", "/techniques/PaNET01188/"),
    ("procedures", "/procedures/"),
    ("procedure", "/procedures/saxs-azimuthal-integration/"),
    ("datasets", "/datasets/"),
    ("login", "/accounts/login/"),
    ("upload", "/upload/"),
    ("publications", "/publications/"),
    ("publication", DEMO_PUBLICATION),
]
CURATOR_PAGES = [
    ("dataset", f"/datasets/{SAXS_PID}/"),
    ("curator", "/curator/"),
    ("curator-register", "/curator/register/"),
    ("curator-manifest", "/curator/manifest/"),
    ("runs", "/runs/"),
]
# Pages reached by pressing a button or link (name, page to open, what to press there).
CLICK_PAGES = [
    ("run", f"/datasets/{SAXS_PID}/", "Analyse"),
    ("curator-edit", "/curator/", "Edit"),
    ("publication-reproduced", DEMO_PUBLICATION, "Reproduce"),
]
UPLOAD_RESULTS = "upload-read"


def page_names() -> list[str]:
    """The name of every screenshot the command writes, one ``<name>.png`` each."""
    opened = [name for name, _ in PUBLIC_PAGES + CURATOR_PAGES]
    return [*opened, UPLOAD_RESULTS, *(name for name, _, _ in CLICK_PAGES)]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 30) -> None:
    """Wait until ``url`` answers, or raise CommandError."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (loopback URL we built)
            return
        except OSError:
            time.sleep(0.3)
    raise CommandError(f"runserver did not answer at {url} within {seconds:.0f} s")


def checked(response, url: str):
    """The response of opening ``url``; a CommandError when the page did not load."""
    if response is None or response.status >= 400:
        status = response.status if response is not None else "no response"
        raise CommandError(f"{url} did not load ({status})")
    return response


class Command(BaseCommand):
    """Write docs/screenshots/<page>.png for every page (demo content, a demo curator).

    Run it with a fresh VAR_DIR and no DATABASE_URL: it migrates and loads the demo content
    into the configured database, which the runserver it starts then serves.
    """

    help = (
        "Take a PNG screenshot of every portal page with headless chromium. Use a fresh VAR_DIR "
        "(and no DATABASE_URL): the demo content is loaded into the configured database."
    )

    def add_arguments(self, parser):
        """--output (the folder of the PNGs) and --width (of the browser window)."""
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "docs/screenshots"))
        parser.add_argument("--width", type=int, default=1280)

    def handle(self, *args, output: str, width: int, **options):
        """Load the demo, start runserver on a free loopback port, shoot every page, stop it."""
        if not Path(CHROMIUM).exists():
            raise CommandError(f"{CHROMIUM} is missing: apt-get install chromium fonts-liberation")
        call_command("migrate", verbosity=0)
        call_command("load_demo", stdout=self.stdout)
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        port = free_port()
        env = {**os.environ, "DJANGO_DEBUG": "true", "CELERY_TASK_ALWAYS_EAGER": "true"}
        server = subprocess.Popen(  # noqa: S603 (our own manage.py)
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base + "/")
            self._shoot(base, folder, width)
        finally:
            server.terminate()
            server.wait(timeout=10)
        self.stdout.write(self.style.SUCCESS(f"{len(page_names())} screenshots in {folder}"))

    def _shoot(self, base: str, folder: Path, width: int) -> None:
        """Every page of ``page_names()``: public ones, then logged in as the demo curator."""
        from playwright.sync_api import sync_playwright

        password = os.environ.get("DEMO_PASSWORD", "demo-password")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name, path in tqdm(PUBLIC_PAGES, desc="public pages", unit="page"):
                self._shoot_page(page, base + path, folder / f"{name}.png")
            checked(page.goto(base + "/accounts/login/"), "/accounts/login/")
            page.fill("#id_username", "curator")
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.wait_for_url(base + "/")
            for name, path in tqdm(CURATOR_PAGES, desc="curator pages", unit="page"):
                self._shoot_page(page, base + path, folder / f"{name}.png")
            self._shoot_upload(page, base, folder / f"{UPLOAD_RESULTS}.png")
            for name, path, text in tqdm(CLICK_PAGES, desc="pages after a click", unit="page"):
                self._shoot_after_click(page, base + path, text, folder / f"{name}.png")
            browser.close()

    def _shoot_page(self, page, url: str, path: Path) -> None:
        """Open ``url`` and shoot it (a CommandError if it does not load)."""
        checked(page.goto(url), url)
        page.screenshot(path=str(path), full_page=True)

    def _shoot_upload(self, page, base: str, path: Path) -> None:
        """Read the SAXS example file on the upload page and shoot its recommendations."""
        checked(page.goto(base + "/upload/"), "/upload/")
        page.set_input_files("input[type=file]", str(demo_examples_dir() / SAXS_FILE))
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Read the file").click()
        checked(navigation.value, "/upload/ (reading a file)")
        page.get_by_role("heading", name="Recommended procedures").wait_for()
        page.screenshot(path=str(path), full_page=True)

    def _shoot_after_click(self, page, url: str, text: str, path: Path) -> None:
        """Open ``url``, press the first link or button saying ``text``, shoot the result.

        A CommandError when there is no such button or link, or the page it opens fails.
        """
        checked(page.goto(url), url)
        target = page.get_by_role("button", name=text).or_(page.get_by_role("link", name=text))
        if not target.count():
            raise CommandError(f"no {text!r} button or link on {url}")
        with page.expect_navigation() as navigation:
            target.first.click()
        checked(navigation.value, f"{text!r} on {url}")
        page.screenshot(path=str(path), full_page=True)
