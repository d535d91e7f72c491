"""The local backend runs the code at the version's commit when the working copy is git."""

import json
import shutil
import subprocess

import pytest

from execution import services
from execution.backends.local import recorded_job, run_directory
from execution.choices import RunState
from execution.crate import build_crate
from registry.models import ProcedureVersion
from tests.execution.conftest import DATA_DIR, TEST_REPOSITORY

pytestmark = pytest.mark.django_db


def git(folder, *args) -> str:
    """Run git in ``folder``; its stdout."""
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, check=True, text=True
    ).stdout.strip()


@pytest.fixture
def git_copy(tmp_path, settings):
    """A git working copy of the test procedures with one commit, then an uncommitted change
    that makes the notebook fail."""
    folder = tmp_path / "repo"
    shutil.copytree(DATA_DIR, folder)
    git(folder, "init", "-q")
    git(folder, "add", ".")
    git(folder, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "tiny")
    commit = git(folder, "rev-parse", "HEAD")
    notebook = folder / "tiny" / "analysis.ipynb"
    content = json.loads(notebook.read_text())
    content["cells"][1]["source"] = ["raise RuntimeError('uncommitted change ran')\n"]
    notebook.write_text(json.dumps(content))
    settings.CODE_MIRRORS = {**settings.CODE_MIRRORS, TEST_REPOSITORY: folder}
    return commit


def test_runs_the_committed_code_not_the_working_copy(git_copy, version, user):
    ProcedureVersion.objects.filter(pk=version.pk).update(code_commit=git_copy)
    run = services.create_run(version=version, owner=user)
    assert services.drive(run.pk, deadline_seconds=120) == RunState.COMPLETE
    run.refresh_from_db()
    code = recorded_job(run_directory(run))["code"]
    assert code["verified"] is True and code["commit"] == git_copy
    assert f"Code checked out at commit {git_copy}" in run.log
    assert build_crate(run).mainEntity["codeCommitVerified"] is True


def test_unknown_commit_is_a_system_error(git_copy, version, user):
    run = services.create_run(version=version, owner=user)  # commit 000...0
    assert services.drive(run.pk, deadline_seconds=30) == RunState.SYSTEM_ERROR
    run.refresh_from_db()
    assert "is not in the working copy" in run.error


def test_a_plain_folder_is_run_as_is_and_says_the_commit_is_unverified(version, user):
    run = services.create_run(version=version, owner=user)
    assert services.drive(run.pk, deadline_seconds=120) == RunState.COMPLETE
    run.refresh_from_db()
    assert "could not be verified" in run.log
    workflow = build_crate(run).mainEntity
    assert workflow["codeCommitVerified"] is False
    assert "could not be verified" in workflow["description"]
