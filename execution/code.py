"""Where the code of a procedure version lives on this machine (CODE_MIRRORS), at its commit."""

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from config.api.errors import DomainError


def working_copy(repository: str) -> Path:
    """The local working copy of ``repository`` named by the CODE_MIRRORS setting."""
    mirrors = getattr(settings, "CODE_MIRRORS", {}) or {}
    folder = mirrors.get(repository) or mirrors.get(repository.removesuffix(".git"))
    if folder is None:
        raise DomainError(
            f"No local working copy of {repository} (add it to CODE_MIRRORS).",
            {"code_repository": [repository]},
            "code_not_mirrored",
        )
    return Path(folder).resolve()


def entry_point_path(repository: str, entry_point: str) -> Path:
    """The notebook of a version inside its working copy, refusing paths that leave it."""
    root = working_copy(repository)
    notebook = (root / entry_point).resolve()
    if not notebook.is_relative_to(root):
        raise DomainError(
            f"Entry point {entry_point!r} leaves the repository.", code="unsafe_entry_point"
        )
    if not notebook.is_file():
        raise DomainError(
            f"Entry point {entry_point!r} is not in the working copy {root}.",
            {"entry_point": [entry_point]},
            "entry_point_missing",
        )
    return notebook


@dataclass
class Checkout:
    """The notebook a run executes, and whether it is the code at the version's commit."""

    notebook: Path
    commit: str
    verified: bool
    note: str


def is_git_repository(folder: Path) -> bool:
    """True when ``folder`` is the top of a git working copy (not merely inside one)."""
    return (folder / ".git").exists()


def export_commit(root: Path, commit: str, into: Path) -> None:
    """Write the tree of ``commit`` of the git repository at ``root`` into ``into``."""
    found = subprocess.run(  # noqa: S603 - fixed argv
        ["git", "-C", str(root), "cat-file", "-e", f"{commit}^{{commit}}"],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if found.returncode != 0:
        raise DomainError(
            f"Commit {commit} is not in the working copy {root}: fetch it first.",
            {"code_commit": [commit]},
            "commit_not_found",
        )
    archive = subprocess.run(  # noqa: S603
        ["git", "-C", str(root), "archive", "--format=tar", commit],  # noqa: S607
        capture_output=True,
        check=True,
    )
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")


def checkout(repository: str, commit: str, entry_point: str, into: Path) -> Checkout:
    """The code of a version for one run.

    A working copy that is a git repository gives the tree at ``commit`` (exported into
    ``into``); any other working copy is used as it is, and the checkout says the commit
    could not be verified.
    """
    root = working_copy(repository)
    if not is_git_repository(root):
        return Checkout(
            notebook=entry_point_path(repository, entry_point),
            commit=commit,
            verified=False,
            note=f"The working copy {root} is not a git repository: commit {commit} could "
            "not be verified; the notebook ran as it is in the working copy.",
        )
    export_commit(root, commit, into)
    notebook = (into / entry_point).resolve()
    if not notebook.is_relative_to(into.resolve()) or not notebook.is_file():
        raise DomainError(
            f"Entry point {entry_point!r} is not in commit {commit}.",
            {"entry_point": [entry_point]},
            "entry_point_missing",
        )
    return Checkout(notebook, commit, True, f"Code checked out at commit {commit} from {root}.")
