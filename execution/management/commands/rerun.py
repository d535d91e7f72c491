"""Re-execute a run from its Workflow Run RO-Crate on this machine and compare output checksums."""

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from execution import runner
from execution.backends.local import collect_outputs
from execution.crate import read_run_crate, temporary_directory


class Command(BaseCommand):
    """``manage.py rerun CRATE.zip``: exit status 1 when any output checksum differs."""

    help = "Re-execute a run crate locally with papermill and compare output checksums."

    def add_arguments(self, parser):
        """The crate and an optional dataset path replacing the recorded one."""
        parser.add_argument("crate", help="Path of a run's crate.zip")
        parser.add_argument("--dataset-path", default="", help="Use this input file instead.")

    def handle(self, *args, **options):
        """Unpack, run the notebook with the recorded parameters, print the comparison."""
        crate_file = Path(options["crate"])
        if not crate_file.is_file():
            raise CommandError(f"No crate at {crate_file}.")
        with temporary_directory() as scratch:
            try:
                recorded = read_run_crate(crate_file, Path(scratch) / "crate")
            except (OSError, ValueError, KeyError, StopIteration) as exc:
                raise CommandError(f"{crate_file} is not a run crate: {exc}") from exc
            if not recorded["notebook"].is_file():
                raise CommandError("The crate holds no notebook (analysis.ipynb) to re-execute.")
            work_dir = Path(scratch) / "rerun"
            work_dir.mkdir()
            job = {
                "notebook": str(recorded["notebook"]),
                "parameters": recorded["parameters"],
                "dataset_path": options["dataset_path"] or recorded["dataset_path"],
            }
            (work_dir / runner.JOB_FILE).write_text(json.dumps(job))
            self.stderr.write(f"Re-executing {recorded['notebook'].name} in {work_dir} ...")
            with (work_dir / runner.LOG_FILE).open("wb") as log:
                subprocess.run(  # noqa: S603
                    [sys.executable, "-m", "execution.runner", str(work_dir)],
                    cwd=settings.BASE_DIR,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    check=False,
                )
            result = runner.result_status_from(work_dir) or {"exit_code": -1, "error": "no result"}
            if result["exit_code"] != 0:
                raise CommandError(f"The notebook failed on rerun: {result['error']}")
            fresh = {o.name: o.sha256 for o in collect_outputs(work_dir / runner.OUTPUT_DIR)}
        return self.compare(recorded["outputs"], fresh)

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
