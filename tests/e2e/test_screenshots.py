"""The ``screenshots`` command: one non-empty PNG per page, and a missing page is an error."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management.base import CommandError

from portal.management.commands.screenshots import Command, page_names
from tests.conftest import require
from tests.e2e.conftest import CHROMIUM

pytestmark = pytest.mark.browser
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Only what a process needs to run: no database, cache, broker or search server of the tests.
KEPT_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH")


@pytest.mark.slow
def test_screenshots_writes_one_png_per_page(tmp_path):
    require(CHROMIUM.exists(), f"{CHROMIUM} missing: apt-get install chromium fonts-liberation")
    env = {name: os.environ[name] for name in KEPT_ENVIRONMENT if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="true",
        VAR_DIR=str(tmp_path / "var"),
    )
    output = tmp_path / "screenshots"
    done = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", "screenshots", "--output", str(output), "--width", "800"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    written = {path.stem: path for path in output.glob("*.png")}
    assert sorted(written) == sorted(page_names())
    for name, path in written.items():
        assert path.read_bytes()[:8] == PNG_SIGNATURE, name
        assert path.stat().st_size > 1000, name
    assert f"{len(page_names())} screenshots in {output}" in done.stdout


@pytest.mark.django_db(transaction=True)
def test_a_missing_button_or_page_is_an_error(live_server, page, demo_content, tmp_path):
    command = Command()
    shot = tmp_path / "missing.png"
    with pytest.raises(CommandError, match="no 'Reproduce' button or link on"):
        command._shoot_after_click(page, f"{live_server.url}/", "Reproduce", shot)
    with pytest.raises(CommandError, match=r"did not load \(404\)"):
        command._shoot_page(page, f"{live_server.url}/procedures/no-such-procedure/", shot)
    assert not shot.exists()
