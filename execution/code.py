"""Where the code of a procedure version lives on this machine (CODE_MIRRORS)."""

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
