"""Backups on a real PostgreSQL: a database dump restored into an empty database, and the
registry export imported into an empty database, both give the same API output as the source.

Each database is a scratch database on the server of scripts/postgres; the app runs against it in
a subprocess (``manage.py`` with its own DATABASE_URL), as an operator would.
"""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import PROJECT_DIR, require

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

API_PAGES = [
    "/api/v1/procedures/?page_size=200",
    "/api/v1/versions/?page_size=200",
    "/api/v1/resources/?page_size=200",
    "/api/v1/facilities/?page_size=200",
    "/api/v1/instruments/?page_size=200",
    "/api/v1/techniques/?page_size=50&q=scattering",
    "/api/v1/nexus-definitions/?page_size=200",
]

REGISTRY_PAGES = [page for page in API_PAGES if "/techniques/" not in page]

# Prints the JSON of every page in API_PAGES, read with Django's test client.
DUMP_API = """
import json, sys
from django.test import Client
client = Client()
pages = {url: client.get(url).json() for url in sys.argv[1:]}
print(json.dumps(pages, sort_keys=True))
"""


def server_url() -> str:
    """POSTGRES_URL of scripts/postgres (role with CREATEDB)."""
    url = os.environ.get("POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    require(url.startswith(("postgres://", "postgresql://")), "POSTGRES_URL is not set")
    return url


def database_url(name: str) -> str:
    """The server URL naming database ``name``."""
    parts = urlsplit(server_url())
    return urlunsplit(parts._replace(path=f"/{name}"))


def tool(name: str) -> str:
    """A PostgreSQL client program (pg_dump, pg_restore, psql)."""
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None
    )
    require(found is not None, f"{name} is not installed (Debian package postgresql-client)")
    return found


def run(*command: str, url: str | None = None, tmp: Path | None = None) -> str:
    """Run a command (manage.py when it starts with 'manage'), failing with its output."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.test_settings", SEARCH_BACKEND="embedded")
    if url:
        env["DATABASE_URL"] = url
    if tmp:
        env["VAR_DIR"] = str(tmp)
    if command[0] == "manage":
        command = (sys.executable, "manage.py", *command[1:])
    result = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{command}: {result.stdout[-2000:]}{result.stderr[-2000:]}"
    return result.stdout


def api_output(url: str, tmp: Path) -> dict:
    """The JSON of the API pages, answered from the database at ``url``."""
    output = run("manage", "shell", "-c", DUMP_API.replace("sys.argv[1:]", repr(API_PAGES)),
                 url=url, tmp=tmp)  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture
def scratch_databases():
    """Create scratch databases on the server; drop them afterwards."""
    psql = tool("psql")
    created: list[str] = []

    def create() -> str:
        name = f"backup_{uuid.uuid4().hex[:10]}"
        run(psql, server_url(), "-v", "ON_ERROR_STOP=1", "-c", f'CREATE DATABASE "{name}"')
        created.append(name)
        return database_url(name)

    yield create
    for name in created:
        run(psql, server_url(), "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_dump_restore_and_registry_export_reproduce_the_api(scratch_databases, tmp_path):
    source = scratch_databases()
    run("manage", "migrate", "--noinput", url=source, tmp=tmp_path)
    run("manage", "load_demo", "--no-users", url=source, tmp=tmp_path)
    expected = api_output(source, tmp_path)
    assert expected[API_PAGES[0]]["count"] >= 20

    dump = tmp_path / "registry.dump"
    run(tool("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", source)
    restored = scratch_databases()
    run(tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump))
    assert api_output(restored, tmp_path) == expected

    # The registry export holds the registry (not datasets, whose files are backed up as files):
    # restored into an empty database with the ontology, the registry's pages are identical.
    export = tmp_path / "export"
    run("manage", "export_registry", str(export), url=source, tmp=tmp_path)
    imported = scratch_databases()
    run("manage", "migrate", "--noinput", url=imported, tmp=tmp_path)
    run("manage", "load_ontology_snapshot", url=imported, tmp=tmp_path)
    run("manage", "import_registry", str(export), url=imported, tmp=tmp_path)
    from_export = api_output(imported, tmp_path)
    for page in REGISTRY_PAGES:
        assert from_export[page] == expected[page], page
