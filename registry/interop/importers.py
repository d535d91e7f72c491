"""Crates of other kinds that ``manage.py import_crate`` hands on to the app that made them.

The registry knows Workflow RO-Crates of procedure versions; higher layers (a publication
bundle from ``publications``) register an importer here from their ``AppConfig.ready``, so the
one command imports any crate this registry writes without the registry importing them.
"""

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CrateImporter:
    """Recognises a kind of crate by its member names and imports a crate file of that kind."""

    kind: str
    recognises: Callable[[set[str]], bool]
    import_file: Callable[[Path], str]  # returns one line saying what was registered


_IMPORTERS: dict[str, CrateImporter] = {}


def register_crate_importer(importer: CrateImporter) -> None:
    """Add (or replace, by kind) an importer; called from an app's ``ready()``."""
    _IMPORTERS[importer.kind] = importer


def importer_for(path: Path) -> CrateImporter | None:
    """The registered importer that recognises the zip at ``path``, or None (a procedure crate)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    return next((i for i in _IMPORTERS.values() if i.recognises(names)), None)
