"""The spawner hook of the test JupyterHub (scripts/jupyterhub): open what the registry asked for.

The registry's jupyterhub backend starts a named server with ``user_options`` = ``{"image",
"repository", "commit", "entry_point", "dataset_path"}`` (see docs/operations.md, "JupyterHub
servers for Modify"). Before the server starts, :func:`prepare_server` gives it its own folder
``<home>/<server name>/`` holding

- the code: the tree of ``commit`` exported from the local mirror of ``repository`` when that
  mirror is a git repository (``git archive``), else the entry point's folder copied from the
  working copy as it is (the registry's local runs do the same, see execution/code.py);
- the dataset: ``data/<file name>``, a hard link to ``dataset_path`` (a copy when linking fails);

and opens the notebook (``default_url``). ``DATASET_PATH`` and ``ENTRY_POINT`` are set in the
server's environment. Mirrors come from CODE_MIRRORS (``url=folder,...``, as for the registry)
when the hub started, plus the demo repository's working copy. A production deployment does the
same in its own spawner (e.g. KubeSpawner with an init container); this file is the test setup's.
"""

import importlib.util
import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path, PurePosixPath

DEMO_REPOSITORY = "https://github.com/analysis-registry-demo/procedures.git"


def mirrors_from_env(demo_working_copy: str) -> dict[str, Path]:
    """Repository URL → local folder: the demo repository, then CODE_MIRRORS entries."""
    mirrors = {DEMO_REPOSITORY: Path(demo_working_copy)}
    for item in os.environ.get("CODE_MIRRORS", "").split(","):
        url, _, folder = item.strip().partition("=")
        if url and folder:
            mirrors[url.strip()] = Path(folder.strip())
    return mirrors


def safe_relative(path: str) -> PurePosixPath | None:
    """``path`` as a relative path that stays inside its folder, or None."""
    relative = PurePosixPath(path or "")
    if not path or relative.is_absolute() or ".." in relative.parts:
        return None
    return relative


def export_code(mirror: Path, commit: str, entry_point: PurePosixPath, into: Path) -> str:
    """Put the code into ``into``; return a line for the hub's log."""
    if (mirror / ".git").exists():
        archive = subprocess.run(  # noqa: S603 - fixed argv
            ["git", "-C", str(mirror), "archive", "--format=tar", commit],  # noqa: S607
            capture_output=True,
            check=True,
        )
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(into, filter="data")
        return f"exported commit {commit} of {mirror}"
    top = entry_point.parts[0] if len(entry_point.parts) > 1 else entry_point.name
    source = mirror / top
    if source.is_dir():
        shutil.copytree(source, into / top, dirs_exist_ok=True)
    elif source.is_file():
        shutil.copy2(source, into / top)
    return f"copied {source} as it is ({mirror} is not a git repository: commit not verified)"


def link_dataset(dataset_path: str, into: Path) -> Path | None:
    """``data/<name>`` in ``into``: a hard link to the dataset, or a copy across filesystems."""
    source = Path(dataset_path or "")
    if not dataset_path or not source.is_file():
        return None
    target = into / "data" / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return target


def notebook_url(entry_point: PurePosixPath) -> str:
    """Where the single-user server shows the notebook (JupyterLab when installed)."""
    if importlib.util.find_spec("jupyterlab") is not None:
        return f"/lab/tree/{entry_point}"
    return f"/files/{entry_point}"  # a bare jupyter_server: the file itself


def make_pre_spawn_hook(mirrors: dict[str, Path]):
    """The ``Spawner.pre_spawn_hook`` for these mirrors."""

    def prepare_server(spawner) -> None:
        options = spawner.user_options or {}
        home = Path(getattr(spawner, "home_dir", "") or Path.home())
        workdir = home / (spawner.name or "default")
        workdir.mkdir(parents=True, exist_ok=True)
        spawner.notebook_dir = str(workdir)
        entry_point = safe_relative(options.get("entry_point", ""))
        mirror = mirrors.get(options.get("repository", ""))
        if entry_point is not None and mirror is not None and options.get("commit"):
            note = export_code(mirror, options["commit"], entry_point, workdir)
            spawner.log.info("%s: %s", spawner._log_name, note)
            spawner.default_url = notebook_url(entry_point)
            spawner.environment = {**spawner.environment, "ENTRY_POINT": str(entry_point)}
        elif options.get("repository"):
            spawner.log.warning("%s: no mirror of %s", spawner._log_name, options["repository"])
        dataset = link_dataset(options.get("dataset_path", ""), workdir)
        if dataset is not None:
            spawner.environment = {**spawner.environment, "DATASET_PATH": str(dataset)}

    return prepare_server
