"""``manage.py ingest PATH... [--recursive] [--workers N]``: register NeXus files as datasets."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from tqdm import tqdm

from datasets import services

NEXUS_SUFFIXES = {".nxs", ".h5", ".hdf5", ".hdf", ".nx5", ".nexus", ".hdf4", ".nx"}


def collect_files(paths: list[str], recursive: bool) -> list[Path]:
    """The files named, and the NeXus-looking files in the folders named (recursively if asked)."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_file():
            found.append(path.resolve())
        elif path.is_dir():
            pattern = "**/*" if recursive else "*"
            found += sorted(
                item.resolve()
                for item in path.glob(pattern)
                if item.is_file() and item.suffix.lower() in NEXUS_SUFFIXES
            )
        else:
            raise CommandError(f"No such file or folder: {name}")
    return list(dict.fromkeys(found))


def extract_in_worker(path: Path):
    """Extract one file in a worker process: ``(path, summary dict or None, error or None)``."""
    from datasets.nexus import NexusError, extract

    try:
        return path, extract(str(path)).to_dict(), None
    except (NexusError, OSError) as exc:
        return path, None, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class Command(BaseCommand):
    """Register NeXus files; unchanged files are skipped and bad files reported, never fatal."""

    help = "Register NeXus files as datasets (extract, infer techniques, save)."

    def add_arguments(self, parser):
        """PATH..., --recursive, --workers."""
        parser.add_argument("paths", nargs="+", help="NeXus files or folders")
        parser.add_argument("--recursive", action="store_true", help="descend into sub-folders")
        parser.add_argument(
            "--workers", type=int, default=1, help="extraction processes (default 1)"
        )
        parser.add_argument("--private", action="store_true", help="register as private datasets")

    def handle(self, *args, **options):
        """Ingest every file and print one line per failure and a final count."""
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        files = collect_files(options["paths"], options["recursive"])
        if not files:
            raise CommandError("No NeXus files found in the paths given.")
        counts = {"ingested": 0, "unchanged": 0, "failed": 0}
        pending = []
        for path in files:
            if services.find_unchanged(path) is not None:
                counts["unchanged"] += 1
            else:
                pending.append(path)
        public = not options["private"]
        with tqdm(total=len(files), initial=counts["unchanged"], unit="file", disable=None) as bar:
            for path, summary, error in self.extractions(pending, options["workers"]):
                bar.update(1)
                if error is None:
                    error = self.save(path, summary, public)
                if error is None:
                    counts["ingested"] += 1
                else:
                    counts["failed"] += 1
                    with bar.external_write_mode():
                        self.stderr.write(f"FAILED {path}: {error}")
        self.stdout.write(
            f"ingested {counts['ingested']}, unchanged {counts['unchanged']}, failed {counts['failed']}"
        )
        if counts["failed"] and not counts["ingested"] and not counts["unchanged"]:
            raise CommandError(f"Nothing could be ingested ({counts['failed']} files failed).")

    def extractions(self, paths: list[Path], workers: int):
        """Extraction results in order; in ``workers`` processes when more than one."""
        if workers == 1 or len(paths) < 2:
            yield from map(extract_in_worker, paths)
            return
        # Forked workers must not share the parent's database connections; inside a transaction
        # (a caller's atomic block) closing would end it, and the workers never use the database.
        if not connection.in_atomic_block:
            connections.close_all()
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield from pool.map(extract_in_worker, paths)

    def save(self, path: Path, summary: dict, public: bool) -> str | None:
        """Infer and save one extracted file; the reason when it fails, else None."""
        try:
            services.register_dataset(path, summary=summary, is_public=public)
        except (services.DomainError, ValueError, TypeError, KeyError) as exc:
            return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return None
