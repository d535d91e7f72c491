"""Re-execute a run from its Workflow Run RO-Crate on this machine and compare output checksums."""

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from execution import runner
from execution.backends.local import collect_outputs, sha256_of
from execution.crate import CrateError, read_run_crate, temporary_directory

CELL_STARTED = re.compile(rb"Executing Cell (\d+)")


def cells_started(log_path: Path) -> int:
    """The number of the last notebook cell papermill has started, from its log."""
    numbers = CELL_STARTED.findall(log_path.read_bytes()) if log_path.exists() else []
    return max((int(n) for n in numbers), default=0)


def cell_count(notebook: Path) -> int:
    """Cells papermill executes: the notebook's, plus the parameters cell it injects."""
    try:
        return len(json.loads(notebook.read_text()).get("cells", [])) + 1
    except (OSError, ValueError, AttributeError):
        return 0


class Command(BaseCommand):
    """``manage.py rerun CRATE.zip``: exit status 1 when any output checksum differs."""

    help = "Re-execute a run crate locally with papermill and compare output checksums."

    def add_arguments(self, parser):
        """The crate and an optional dataset path replacing the recorded one."""
        parser.add_argument("crate", help="Path of a run's crate.zip")
        parser.add_argument("--dataset-path", default="", help="Use this input file instead.")

    def handle(self, *args, **options):
        """Unpack, check the input, run the notebook with the recorded parameters, compare."""
        crate_file = Path(options["crate"])
        if not crate_file.is_file():
            raise CommandError(f"No crate at {crate_file}.")
        with temporary_directory() as scratch:
            try:
                recorded = read_run_crate(crate_file, Path(scratch) / "crate")
            except CrateError as exc:
                raise CommandError(f"{crate_file} is not a run crate: {exc}.") from exc
            if not recorded["notebook"].is_file():
                raise CommandError("The crate holds no notebook (analysis.ipynb) to re-execute.")
            dataset_path = options["dataset_path"] or recorded["dataset_path"]
            self.check_dataset(dataset_path, recorded["dataset_sha256"])
            work_dir = Path(scratch) / "rerun"
            work_dir.mkdir()
            job = {
                "notebook": str(recorded["notebook"]),
                "parameters": recorded["parameters"],
                "dataset_path": dataset_path,
            }
            (work_dir / runner.JOB_FILE).write_text(json.dumps(job))
            self.run_notebook(work_dir, recorded["notebook"])
            result = runner.result_status_from(work_dir) or {"exit_code": -1, "error": "no result"}
            if result["exit_code"] != 0:
                raise CommandError(f"The notebook failed on rerun: {result['error']}")
            fresh = {o.name: o.sha256 for o in collect_outputs(work_dir / runner.OUTPUT_DIR)}
        return self.compare(recorded["outputs"], fresh)

    def check_dataset(self, dataset_path: str, recorded_sha256: str) -> None:
        """Say whether the input file is the one the run read (by checksum)."""
        if not dataset_path:
            return
        path = Path(dataset_path)
        if not path.is_file():
            raise CommandError(
                f"The input dataset {path} does not exist here; pass --dataset-path FILE."
            )
        if not recorded_sha256:
            self.stderr.write(f"The crate records no checksum of the input; using {path}.")
            return
        actual = sha256_of(path)
        if actual == recorded_sha256:
            self.stderr.write(f"Input dataset {path} matches the recorded sha256.")
        else:
            self.stderr.write(
                f"WARNING: input dataset {path} differs from the one the run read: "
                f"recorded sha256 {recorded_sha256}, this file's {actual}. "
                "Outputs are unlikely to match."
            )

    def run_notebook(self, work_dir: Path, notebook: Path) -> None:
        """Run the notebook in ``work_dir``, showing which cell it has reached."""
        log_path = work_dir / runner.LOG_FILE
        progress = Progress(
            TextColumn("Re-executing {task.fields[notebook]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("cells"),
            TimeElapsedColumn(),
            # the stream itself: OutputWrapper ends every write with a newline, breaking redraws
            console=Console(file=getattr(self.stderr, "_out", self.stderr), width=100),
        )
        with progress, log_path.open("wb") as log:
            task = progress.add_task(
                "rerun", total=cell_count(notebook) or None, notebook=notebook.name
            )
            process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [sys.executable, "-m", "execution.runner", str(work_dir)],
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            while process.poll() is None:
                progress.update(task, completed=cells_started(log_path))
                time.sleep(0.2)
            progress.update(task, completed=cells_started(log_path))

    def compare(self, recorded: dict, fresh: dict) -> None:
        """Print one row per output; raise CommandError (exit 1) when any differs."""
        table = Table(title="Outputs: recorded vs. re-executed")
        for column in ("output", "recorded sha256", "rerun sha256", "match"):
            table.add_column(column)
        differing = 0
        for name in sorted(set(recorded) | set(fresh)):
            same = recorded.get(name) == fresh.get(name)
            differing += not same
            table.add_row(
                name,
                (recorded.get(name) or "-")[:16],
                (fresh.get(name) or "-")[:16],
                "yes" if same else "NO",
            )
        Console(file=self.stdout, width=120).print(table)
        if differing:
            raise CommandError(f"{differing} output(s) differ from the crate.")
        self.stdout.write("All outputs match.")
