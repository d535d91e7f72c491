"""Run one notebook with papermill in a work directory; the job process of the local backend.

``python -m execution.runner WORK_DIR`` reads ``WORK_DIR/job.json`` (notebook, parameters),
executes the notebook into ``WORK_DIR/notebook.ipynb`` with outputs in ``WORK_DIR/outputs`` and
writes ``WORK_DIR/result.json`` (``exit_code``, ``error``) atomically when it ends. It imports
no Django, so the same command runs under a Celery worker, Slurm, or ``manage.py rerun``.
"""

import json
import logging
import os
import sys
from pathlib import Path

JOB_FILE = "job.json"
RESULT_FILE = "result.json"
LOG_FILE = "run.log"
OUTPUT_DIR = "outputs"
EXECUTED_NOTEBOOK = "notebook.ipynb"


def write_result(work_dir: Path, exit_code: int, error: str = "") -> None:
    """Write result.json atomically so a reader never sees half a file."""
    temporary = work_dir / (RESULT_FILE + ".tmp")
    temporary.write_text(json.dumps({"exit_code": exit_code, "error": error}))
    os.replace(temporary, work_dir / RESULT_FILE)


def result_status_from(work_dir: Path) -> dict | None:
    """The content of result.json (``exit_code``, ``error``), or None while the job runs."""
    path = Path(work_dir) / RESULT_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text())


def execute(work_dir: Path) -> int:
    """Execute the job described in ``work_dir``; return the exit code it recorded."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    job = json.loads((work_dir / JOB_FILE).read_text())
    output_dir = work_dir / OUTPUT_DIR
    output_dir.mkdir(parents=True, exist_ok=True)
    parameters = {
        **job.get("parameters", {}),
        "dataset_path": job.get("dataset_path", ""),
        "output_dir": str(output_dir),
    }
    try:
        papermill.execute_notebook(
            job["notebook"],
            str(work_dir / EXECUTED_NOTEBOOK),
            parameters=parameters,
            kernel_name=job.get("kernel_name", "python3"),
            cwd=str(output_dir),
            log_output=True,
            progress_bar=False,
        )
    except PapermillExecutionError as exc:
        write_result(work_dir, 1, f"{exc.ename}: {exc.evalue}")
        return 1
    except Exception as exc:  # noqa: BLE001 - any failure must end up in result.json
        write_result(work_dir, 2, f"{type(exc).__name__}: {exc}")
        return 2
    write_result(work_dir, 0)
    return 0


def main(argv: list[str]) -> int:
    """Entry point: ``python -m execution.runner WORK_DIR``."""
    if len(argv) not in (2, 3):  # an optional third word tags the process (the run id)
        print("usage: python -m execution.runner WORK_DIR [TAG]", file=sys.stderr)
        return 64
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    return execute(Path(argv[1]))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
