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

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SAXS_PID = "10.5072/demo:saxs"
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
    ("dataset", "/datasets/{pid}/"),
    ("curator", "/curator/"),
    ("curator-register", "/curator/register/"),
    ("curator-manifest", "/curator/manifest/"),
    ("runs", "/runs/"),
]


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


class Command(BaseCommand):
    """Write docs/screenshots/<page>.png for every page (demo content, a demo curator)."""

    help = "Take a PNG screenshot of every portal page with headless chromium."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "docs/screenshots"))
        parser.add_argument("--width", type=int, default=1280)

    def handle(self, *args, output: str, width: int, **options):
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
            written = self._shoot(base, folder, width)
        finally:
            server.terminate()
            server.wait(timeout=10)
        self.stdout.write(self.style.SUCCESS(f"{written} screenshots in {folder}"))

    def _shoot(self, base: str, folder: Path, width: int) -> int:
        from playwright.sync_api import sync_playwright

        password = os.environ.get("DEMO_PASSWORD", "demo-password")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": width, "height": 900})
            pages = [(name, base + path) for name, path in PUBLIC_PAGES]
            for name, url in tqdm(pages, desc="public pages", unit="page"):
                page.goto(url)
                page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
            page.goto(base + "/accounts/login/")
            page.fill("#id_username", "curator")
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.wait_for_url(base + "/")
            for name, path in tqdm(CURATOR_PAGES, desc="curator pages", unit="page"):
                page.goto(base + path.format(pid=SAXS_PID))
                page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
            self._shoot_run(page, base, folder)
            self._shoot_after_click(page, base + "/curator/", "Edit", folder / "curator-edit.png")
            self._shoot_after_click(
                page, base + DEMO_PUBLICATION, "Reproduce", folder / "publication-reproduced.png"
            )
            browser.close()
        return len(list(folder.glob("*.png")))

    def _shoot_run(self, page, base: str, folder: Path) -> None:
        """Press the first Analyse button of the SAXS dataset and shoot the run page."""
        page.goto(f"{base}/datasets/{SAXS_PID}/")
        buttons = page.locator("button", has_text="Analyse")
        if buttons.count():
            buttons.first.click()
            page.wait_for_load_state()
            page.screenshot(path=str(folder / "run.png"), full_page=True)

    def _shoot_after_click(self, page, url: str, text: str, path: Path) -> None:
        """Open ``url``, press the first link or button saying ``text``, shoot the result."""
        page.goto(url)
        target = page.get_by_role("button", name=text).or_(page.get_by_role("link", name=text))
        if target.count():
            target.first.click()
            page.wait_for_load_state()
            page.screenshot(path=str(path), full_page=True)
