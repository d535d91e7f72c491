"""Settings of the Celery worker subprocess in the execution tests: the tests' database file."""

import os
from pathlib import Path

from config.test_settings import *  # noqa: F403
from config.test_settings import CODE_MIRRORS, DATABASES, NEXUS_DATA_ROOTS, RUNS_DIR

DATABASES["default"]["NAME"] = os.environ["EXECUTION_TEST_DB"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # SQLite: wait for the test's writes
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
url, _, folder = os.environ.get("EXECUTION_TEST_MIRROR", "").partition("=")
if url:
    CODE_MIRRORS[url] = Path(folder)
NEXUS_DATA_ROOTS = [*NEXUS_DATA_ROOTS, Path(RUNS_DIR).parent / "data"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "4"))
}
EXECUTION_LEASE_SECONDS = int(os.environ.get("EXECUTION_LEASE_SECONDS", "3"))
