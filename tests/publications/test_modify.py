"""Modify: open a result's procedure in JupyterHub, register the changed notebook as a new version.

The refusals need no server; the round trip runs against the JupyterHub of scripts/jupyterhub
(its spawner hook, scripts/jupyterhub_hooks.py, puts the code and the dataset in the server).
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from execution import services as execution
from execution.choices import RunState
from execution.models import Run
from publications import services
from registry.models import Procedure, ProcedureVersion
from tests.conftest import require

pytestmark = pytest.mark.django_db
DEMO_REPOSITORY = "https://github.com/analysis-registry-demo/procedures.git"
SI = "10.5072/demo.si-powder"
ENTRY_POINT = "powder-peak-search/analysis.ipynb"
URL = f"/api/v1/publications/{SI}/modified-versions/"


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=True)
    return done.stdout.decode().strip()


@pytest.fixture
def git_mirror(demo_content, settings, tmp_path) -> Path:
    """A git mirror of the demo repository whose commit the demo powder version names."""
    mirror = tmp_path / "mirror"
    shutil.copytree(Path(django_settings.BASE_DIR) / "fixtures/procedures/powder-peak-search",
                    mirror / "powder-peak-search")  # fmt: skip
    git(mirror.parent, "init", "-q", str(mirror))
    git(mirror, "add", ".")
    git(mirror, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "demo")
    commit = git(mirror, "rev-parse", "HEAD")
    ProcedureVersion.objects.filter(procedure__slug="powder-peak-search").update(code_commit=commit)
    settings.CODE_MIRRORS = {DEMO_REPOSITORY: mirror}
    return mirror


@pytest.fixture
def hub_token(settings):
    """Runs on the jupyterhub backend can be created (they are not driven in these tests)."""
    settings.JUPYTERHUB_API_TOKEN = settings.JUPYTERHUB_API_TOKEN or "not-used-here"


def open_modify(doi, user, capture, label=""):
    """A Modify run, created but not started."""
    with capture(execute=False):
        return services.open_for_modification(services.get_publication(doi), user, label=label)


def test_registering_needs_a_signed_in_user(demo_content, client):
    response = client.post(URL, {"run": "0" * 32, "new_version": "1.0.1"})
    assert response.status_code in (401, 403) and "error" in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"new_version": "1.0.1"}, "run"), ({"run": "x", "new_version": "1.0.1"}, "run"),
     ({"run": "0" * 32, "new_version": "one"}, "new_version")],
)  # fmt: skip
def test_bad_bodies_are_400(demo_content, api, body, field):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400 and field in json.dumps(response.json()["error"])


def test_refusals(
    demo_content, git_mirror, hub_token, api, scientist, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    unknown = api.post(URL, {"run": "0" * 32, "new_version": "1.0.1"}, format="json")
    assert unknown.json()["error"]["code"] == "unknown_run"

    other = get_user_model().objects.create_user("someone-else")
    theirs = open_modify(SI, other, capture)
    forbidden = api.post(URL, {"run": theirs.pk, "new_version": "1.0.1"}, format="json")
    assert forbidden.status_code == 403 and "Only the scientist" in str(forbidden.json())

    saxs_run = open_modify("10.5072/demo.saxs-silica", scientist, capture, "Figure 1")
    wrong = api.post(URL, {"run": saxs_run.pk, "new_version": "1.0.1"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "not_a_modify_run"

    # A run tagged for the publication, of a version the publication does not use (the run of
    # saxs-azimuthal-integration@1.1.0 relabelled): refused, nothing registered.
    saxs_run.tags = {**saxs_run.tags, "publication": SI}
    saxs_run.save(update_fields=["tags"])
    unused = api.post(URL, {"run": saxs_run.pk, "new_version": "1.0.1"}, format="json")
    assert unused.status_code == 400 and unused.json()["error"]["code"] == "version_not_used"

    mine = open_modify(SI, scientist, capture)
    not_running = api.post(URL, {"run": mine.pk, "new_version": "1.0.1"}, format="json")
    assert (
        not_running.status_code == 409 and "not running" in not_running.json()["error"]["message"]
    )
    assert not Procedure.objects.filter(slug__startswith="powder-peak-search-").exists()
    assert git(git_mirror, "branch", "--list", "modified/*") == ""


def test_a_mirror_that_is_not_git_or_lacks_the_commit_is_refused(
    demo_content, hub_token, api, scientist, settings, tmp_path, django_capture_on_commit_callbacks
):
    run = open_modify(SI, scientist, django_capture_on_commit_callbacks)
    settings.CODE_MIRRORS = {
        DEMO_REPOSITORY: Path(django_settings.BASE_DIR) / "fixtures/procedures"
    }
    plain = api.post(URL, {"run": run.pk, "new_version": "1.0.1"}, format="json")
    assert plain.status_code == 409 and "not a git repository" in plain.json()["error"]["message"]
    empty = tmp_path / "empty"
    git(tmp_path, "init", "-q", str(empty))
    settings.CODE_MIRRORS = {DEMO_REPOSITORY: empty}
    missing = api.post(URL, {"run": run.pk, "new_version": "1.0.1"}, format="json")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "commit_not_found"


# --- against the real JupyterHub ---------------------------------------------------------------


@pytest.fixture
def hub(settings):
    """The JupyterHub of scripts/jupyterhub."""
    names = ("JUPYTERHUB_URL", "JUPYTERHUB_API_URL", "JUPYTERHUB_API_TOKEN")
    missing = [name for name in names if not os.environ.get(name)]
    require(not missing, f"{', '.join(missing)} not set: eval \"$(scripts/jupyterhub start)\"")
    for name in names:
        setattr(settings, name, os.environ[name])
    return {"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}"}


@pytest.mark.jupyterhub
@pytest.mark.slow
def test_modify_opens_code_and_data_and_the_change_becomes_a_derived_version(
    demo_content, git_mirror, hub, api, scientist, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        started = api.post(f"/api/v1/publications/{SI}/modify/", {"result": "Table 1"})
    assert started.status_code == 202
    run_id = started.json()["run"]
    try:
        assert execution.drive(run_id, deadline_seconds=60) == RunState.RUNNING
        run = Run.objects.get(pk=run_id)
        contents = run.external_url + "api/contents/"
        notebook = requests.get(contents + ENTRY_POINT, headers=hub, timeout=20)
        assert notebook.status_code == 200 and notebook.json()["type"] == "notebook"
        data_name = Path(run.dataset_path).name
        dataset = requests.get(f"{contents}data/{data_name}?content=0", headers=hub, timeout=20)
        assert dataset.status_code == 200
        assert dataset.json()["size"] == Path(run.dataset_path).stat().st_size
        opened = requests.get(run.external_url, headers=hub, timeout=20, allow_redirects=False)
        assert opened.headers["Location"].split("?")[0].endswith(f"/files/{ENTRY_POINT}")

        # The scientist's change, saved in the server.
        changed = notebook.json()["content"]
        changed["cells"].insert(0, {"cell_type": "markdown", "metadata": {},
                                    "source": "Modified for a new study."})  # fmt: skip
        saved = requests.put(contents + ENTRY_POINT, headers=hub, timeout=20,
                             json={"type": "notebook", "format": "json", "content": changed})  # fmt: skip
        assert saved.status_code in (200, 201)

        registered = api.post(URL, {"run": run_id, "new_version": "1.0.1"}, format="json")
        assert registered.status_code == 201, registered.json()
        body = registered.json()
        assert body["procedure"] == "powder-peak-search-scientist" and body["derived_procedure"]
        assert body["based_on"] == "powder-peak-search@1.0.0"
        committed = git(git_mirror, "show", f"{body['commit']}:{ENTRY_POINT}")
        assert "Modified for a new study." in committed
        assert git(git_mirror, "rev-parse", body["branch"]) == body["commit"]
        assert git(git_mirror, "status", "--porcelain") == ""  # the working tree is untouched

        new = ProcedureVersion.objects.get(procedure__slug=body["procedure"], version="1.0.1")
        original = services.find_version("powder-peak-search@1.0.0")
        assert new.base_version == original and new.status == "draft"
        assert new.code_commit == body["commit"] and new.entry_point == ENTRY_POINT
        assert list(new.procedure.owners.all()) == [scientist]
        assert not original.procedure.versions.filter(version="1.0.1").exists()

        again = api.post(URL, {"run": run_id, "new_version": "1.0.1"}, format="json")
        assert again.status_code == 409
        outsider = APIClient()
        outsider.force_authenticate(get_user_model().objects.create_user("outsider"))
        assert outsider.get(f"/api/v1/procedures/{body['procedure']}/").status_code == 404
    finally:
        execution.cancel_run(Run.objects.get(pk=run_id))
