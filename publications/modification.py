"""Register the notebook a scientist changed in a Modify server as a new procedure version.

The changed notebook is read from the Modify run's JupyterHub server (its contents API, with
the registry's service token), committed onto a new branch of the local git mirror of the
code repository (the working tree is left alone), and registered as a draft version whose
``based_on`` is the version the publication used.

Who may do it: the owner of the Modify run (or staff). When they may edit the original
procedure (its owners, the curators of its facilities, staff) the draft is a new version of
it; otherwise it is a version of a derived draft procedure ``<slug>-<username>`` that they own,
so a scientist never needs rights on someone else's procedure and never changes it.
"""

import json
import os
import re
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from config.api.errors import ConflictError, DomainError, ServiceUnavailableError
from execution.backends.base import TransientBackendError
from execution.backends.http import call
from execution.choices import BackendName, RunState
from execution.code import is_git_repository, working_copy
from execution.models import Run
from publications.models import Publication
from registry.choices import VersionStatus
from registry.models import Procedure, ProcedureVersion
from registry.permissions import can_edit_procedure
from registry.services import register_manifest, version_to_manifest

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024


@dataclass
class ModifiedVersion:
    """What was registered: the new version, its base, and where its code was committed."""

    procedure: str
    version: str
    based_on: str
    repository: str
    commit: str
    branch: str
    entry_point: str
    derived_procedure: bool

    def as_dict(self) -> dict:
        """The API's answer."""
        return {**asdict(self), "url": f"/api/v1/procedures/{self.procedure}/"}


# --- checks ------------------------------------------------------------------------------------


def modify_run(publication: Publication, run_id, by) -> Run:
    """The Modify run ``run_id`` of ``publication``, owned by ``by`` (or ``by`` is staff)."""
    run = Run.objects.select_related("version__procedure", "owner").filter(pk=run_id).first()
    if run is None:
        raise DomainError(f"No run {run_id}.", {"run": [str(run_id)]}, "unknown_run")
    if run.owner_id != by.pk and not by.is_staff:
        raise PermissionDenied("Only the scientist who opened this Modify server may register it.")
    tags = run.tags or {}
    if (
        run.backend != BackendName.JUPYTERHUB
        or tags.get("publication") != publication.doi
        or "modify" not in tags
    ):
        raise DomainError(
            f"Run {run.pk} is not a Modify run of {publication.doi}.",
            {"run": [str(run.pk)]},
            "not_a_modify_run",
        )
    if not publication.procedure_versions.filter(pk=run.version_id).exists():
        raise DomainError(
            f"{publication.doi} does not use {run.version.procedure.slug}@{run.version.version}.",
            {"version": [f"{run.version.procedure.slug}@{run.version.version}"]},
            "version_not_used",
        )
    return run


def target_procedure(original: ProcedureVersion, by) -> tuple[str, bool]:
    """The slug the new version goes to, and whether it is a derived procedure."""
    if can_edit_procedure(by, original.procedure):
        return original.procedure.slug, False
    suffix = re.sub(r"[^a-z0-9]+", "-", by.get_username().lower()).strip("-") or f"user{by.pk}"
    slug = f"{original.procedure.slug}-{suffix}"[:100].rstrip("-")
    existing = Procedure.objects.filter(slug=slug).first()
    if existing is not None and not can_edit_procedure(by, existing):
        raise ConflictError(
            f"The procedure {slug!r} exists and is not yours.", {"procedure": [slug]}
        )
    return slug, True


# --- the notebook, from the server to a commit -------------------------------------------------


def fetch_notebook(run: Run, path: str) -> bytes:
    """The file ``path`` of the run's single-user server, through the Jupyter contents API."""
    run.refresh_from_db(fields=["state", "external_url"])
    if run.state != RunState.RUNNING or not run.external_url:
        raise ConflictError(
            f"The Modify server of run {run.pk} is not running ({run.state}): open it again.",
            {"run": [str(run.pk)]},
        )
    url = run.external_url.rstrip("/") + "/api/contents/" + quote(path)
    headers = {"Authorization": f"token {settings.JUPYTERHUB_API_TOKEN}"}
    try:
        response = call(
            "GET", url, headers=headers, params={"content": "1", "type": "file", "format": "text"}
        )
    except TransientBackendError as exc:
        raise ServiceUnavailableError(f"Could not reach the Modify server: {exc}") from exc
    if response.status_code == 404:
        raise DomainError(
            f"The Modify server has no {path}.", {"notebook": [path]}, "notebook_not_found"
        )
    if response.status_code != 200:
        raise ServiceUnavailableError(
            f"The Modify server answered HTTP {response.status_code} for {path}."
        )
    content = (response.json().get("content") or "").encode()
    check_notebook(content, path)
    return content


def check_notebook(content: bytes, path: str) -> None:
    """Refuse what is not a Jupyter notebook, or is too large."""
    if len(content) > MAX_NOTEBOOK_BYTES:
        raise DomainError(f"{path} is larger than 20 MiB.", code="notebook_too_large")
    try:
        document = json.loads(content)
    except ValueError:
        document = None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise DomainError(
            f"{path} is not a Jupyter notebook.", {"notebook": [path]}, "invalid_notebook"
        )


def git(mirror: Path, *args: str, env: dict | None = None, data: bytes | None = None) -> str:
    """Run git in ``mirror``; its output, stripped."""
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        ["git", "-C", str(mirror), *args],  # noqa: S607
        input=data,
        capture_output=True,
        check=False,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise DomainError(
            f"git {args[0]} failed in {mirror}: {done.stderr.decode(errors='replace').strip()}",
            code="git_failed",
        )
    return done.stdout.decode().strip()


def git_mirror(repository: str, commit: str) -> Path:
    """The git working copy of ``repository``, holding ``commit``."""
    mirror = working_copy(repository)
    if not is_git_repository(mirror):
        raise ConflictError(
            f"The working copy {mirror} of {repository} is not a git repository: a changed "
            "notebook is committed to a git mirror only (see CODE_MIRRORS in docs/operations.md).",
            {"code_repository": [repository]},
        )
    try:
        git(mirror, "cat-file", "-e", f"{commit}^{{commit}}")
    except DomainError as exc:
        raise DomainError(
            f"Commit {commit} is not in the working copy {mirror}.",
            {"code_commit": [commit]},
            "commit_not_found",
        ) from exc
    return mirror


def commit_notebook(
    mirror: Path, base: str, entry_point: str, content: bytes, branch: str, message: str, by
) -> str:
    """Commit ``content`` as ``entry_point`` on top of ``base`` to a new ``branch``; its sha."""
    if git(mirror, "for-each-ref", f"refs/heads/{branch}"):
        raise ConflictError(f"The branch {branch} exists already.", {"branch": [branch]})
    person = {"name": by.get_username(), "email": by.email or f"{by.get_username()}@localhost"}
    env = {
        "GIT_AUTHOR_NAME": person["name"], "GIT_AUTHOR_EMAIL": person["email"],
        "GIT_COMMITTER_NAME": "analysis registry", "GIT_COMMITTER_EMAIL": "registry@localhost",
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="modified-index-") as scratch:
        env["GIT_INDEX_FILE"] = str(Path(scratch) / "index")  # the working tree is not touched
        git(mirror, "read-tree", base, env=env)
        blob = git(mirror, "hash-object", "-w", "--stdin", data=content)
        git(mirror, "update-index", "--add", "--cacheinfo", f"100644,{blob},{entry_point}", env=env)
        tree = git(mirror, "write-tree", env=env)
    commit = git(mirror, "commit-tree", tree, "-p", base, "-m", message, env=env)
    git(mirror, "update-ref", f"refs/heads/{branch}", commit, "")
    return commit


# --- registration ------------------------------------------------------------------------------


def derived_manifest(
    original: ProcedureVersion, slug: str, new_version: str, commit: str, owner=None
) -> dict:
    """The manifest of a draft version like ``original`` at ``commit``, based on it."""
    procedure = original.procedure
    base = f"{procedure.slug}@{original.version}"
    entry = version_to_manifest(original)
    entry.update(
        version=new_version,
        status=VersionStatus.DRAFT,
        code={**entry["code"], "commit": commit},
        based_on=base,
        changelog=f"Modified from {base}.",
    )
    derived = slug != procedure.slug
    data = {
        "slug": slug,
        "name": f"{procedure.name} (modified by {owner.get_username()})"
        if derived
        else procedure.name,
        "summary": procedure.summary,
        "description": procedure.description,
        "license": procedure.license,
        "keywords": procedure.keywords,
        "citation": procedure.citation,
        "facilities": sorted(procedure.facilities.values_list("slug", flat=True)),
        "techniques": sorted(procedure.techniques.values_list("iri", flat=True)),
    }
    if derived:
        data["owners"] = [owner.get_username()]
    return {"manifest_version": 1, "procedure": data, "versions": [entry]}


def register_changed_notebook(
    publication: Publication, run_id, new_version: str, by, notebook: str = ""
) -> ModifiedVersion:
    """Fetch, commit and register the notebook changed in the Modify run ``run_id``."""
    run = modify_run(publication, run_id, by)
    original = run.version
    slug, derived = target_procedure(original, by)
    if ProcedureVersion.objects.filter(procedure__slug=slug, version=new_version).exists():
        raise ConflictError(f"{slug}@{new_version} exists already.", {"new_version": [new_version]})
    mirror = git_mirror(original.code_repository, original.code_commit)
    path = str(PurePosixPath(notebook or original.entry_point))
    content = fetch_notebook(run, path)
    branch = f"modified/{slug}/{new_version}"
    message = (
        f"{slug} {new_version}: modified from {original.procedure.slug}@{original.version}\n\n"
        f"Changed in the Modify server of run {run.pk} ({publication.doi})."
    )
    commit = commit_notebook(
        mirror, original.code_commit, original.entry_point, content, branch, message, by
    )
    manifest = derived_manifest(original, slug, new_version, commit, owner=by)
    try:
        with transaction.atomic():
            register_manifest(manifest, by=None if derived else by)
    except BaseException:
        git(mirror, "update-ref", "-d", f"refs/heads/{branch}")  # nothing left behind
        raise
    return ModifiedVersion(
        procedure=slug, version=new_version,
        based_on=f"{original.procedure.slug}@{original.version}",
        repository=original.code_repository, commit=commit, branch=branch,
        entry_point=original.entry_point, derived_procedure=derived,
    )  # fmt: skip
