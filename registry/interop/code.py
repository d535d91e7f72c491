"""Reading the code of a version from its local working copy (``settings.CODE_MIRRORS``).

``CODE_MIRRORS`` maps a repository URL to a local folder holding a working copy of it, for
example the demo repository to ``fixtures/procedures``. Every path is resolved inside that
folder: an entry point or relative path that leaves it is treated as absent.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from registry.models import ProcedureVersion
from registry.references import commit_url

MAX_CODE_FILE_BYTES = 5 * 1024 * 1024
MAX_LISTED_FILES = 200
CONTAINERFILE_NAMES = ("Dockerfile", "Containerfile", "Singularity", "Apptainer")


@dataclass(frozen=True)
class CodeFile:
    """One file of a version's code, relative to the folder of its entry point."""

    path: str
    absolute: Path

    def read_bytes(self) -> bytes:
        """The content of the file."""
        return self.absolute.read_bytes()

    def sha256(self) -> str:
        """Hex SHA-256 of the content."""
        return hashlib.sha256(self.read_bytes()).hexdigest()


def _normalise(url: str) -> str:
    return url.strip().removesuffix("/").removesuffix(".git").lower()


def mirror_root(repository: str) -> Path | None:
    """The local working copy of ``repository``, or None when there is none."""
    mirrors = getattr(settings, "CODE_MIRRORS", {}) or {}
    wanted = _normalise(repository)
    for url, folder in mirrors.items():
        if _normalise(url) == wanted:
            root = Path(folder)
            if not root.is_absolute():
                root = Path(settings.BASE_DIR) / root
            return root.resolve() if root.is_dir() else None
    return None


def _inside(root: Path, relative: str) -> Path | None:
    """``root/relative`` when it stays inside ``root`` and is a regular file, else None."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        return None
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    if candidate.stat().st_size > MAX_CODE_FILE_BYTES:
        return None
    return candidate


def entry_point_file(version: ProcedureVersion) -> CodeFile | None:
    """The entry point (the notebook) from the working copy, or None when unavailable."""
    root = mirror_root(version.code_repository)
    if root is None:
        return None
    absolute = _inside(root, version.entry_point)
    if absolute is None:
        return None
    return CodeFile(PurePosixPath(version.entry_point).name, absolute)


def code_files(version: ProcedureVersion) -> list[CodeFile]:
    """Files in the folder of the entry point (recursively, hidden ones left out)."""
    entry = entry_point_file(version)
    if entry is None:
        return []
    folder = entry.absolute.parent
    files = [entry]
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in PurePosixPath(relative).parts):
            continue
        if path == entry.absolute or not path.is_file() or "__pycache__" in relative:
            continue
        resolved = _inside(folder, relative)
        if resolved is not None:
            files.append(CodeFile(relative, resolved))
        if len(files) >= MAX_LISTED_FILES:
            break
    return files


def code_file(version: ProcedureVersion, relative_path: str) -> CodeFile | None:
    """One file relative to the folder of the entry point, or None."""
    return next((f for f in code_files(version) if f.path == relative_path), None)


def containerfile(version: ProcedureVersion) -> CodeFile | None:
    """A Dockerfile (or similar) beside the entry point, or None."""
    return next((f for f in code_files(version) if f.path in CONTAINERFILE_NAMES), None)


def raw_url(version: ProcedureVersion, relative_path: str | None = None) -> str | None:
    """URL of the raw file at the exact commit, on forges whose layout is known."""
    path = version.entry_point
    if relative_path is not None:
        path = str(PurePosixPath(version.entry_point).parent / relative_path)
    base = version.code_repository.removesuffix(".git").rstrip("/")
    if base.startswith("https://github.com/"):
        owner_repo = base.removeprefix("https://github.com/")
        return f"https://raw.githubusercontent.com/{owner_repo}/{version.code_commit}/{path}"
    if "gitlab" in base or base.startswith("https://codeberg.org/"):
        middle = "/-/raw/" if "gitlab" in base else "/raw/commit/"
        return f"{base}{middle}{version.code_commit}/{path}"
    return None


def browse_url(version: ProcedureVersion) -> str:
    """A web URL of the entry point at the commit (or the commit, or the repository)."""
    base = version.code_repository.removesuffix(".git").rstrip("/")
    if base.startswith("https://github.com/"):
        return f"{base}/blob/{version.code_commit}/{version.entry_point}"
    return commit_url(version.code_repository, version.code_commit) or version.code_repository
