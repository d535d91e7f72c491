"""The local backend: papermill runs the notebook in a per-run work directory under RUNS_DIR.

The job is a separate process in its own session (``python -m execution.runner``), so it
outlives the worker that started it: a redelivered task finds it by process id and keeps
watching it instead of starting a second one.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from execution import runner
from execution.backends.base import Backend, BackendInfo, OutputFile, Status, Submission
from execution.choices import RunState
from execution.code import checkout

LOG_TAIL_BYTES = 64 * 1024
CODE_DIR = "code"


def run_directory(run) -> Path:
    """The work directory of ``run``."""
    return Path(settings.RUNS_DIR) / str(run.id)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def collect_outputs(output_dir: Path) -> list[OutputFile]:
    """Every file under ``output_dir`` with its size and checksum, sorted by name."""
    if not output_dir.is_dir():
        return []
    files = sorted(p for p in output_dir.rglob("*") if p.is_file() and not p.is_symlink())
    return [
        OutputFile(
            name=p.relative_to(output_dir).as_posix(),
            size=p.stat().st_size,
            sha256=sha256_of(p),
            path=str(p),
        )
        for p in files
    ]


def read_log(work_dir: Path) -> str:
    """The last part of the job's log."""
    path = work_dir / runner.LOG_FILE
    if not path.exists():
        return ""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - LOG_TAIL_BYTES))
        return handle.read().decode("utf-8", "replace")


def write_job(run, work_dir: Path) -> None:
    """Write job.json: which notebook (the code at the version's commit), which parameters,
    which data; the log starts with whether the commit could be verified."""
    version = run.version
    code = checkout(
        version.code_repository, version.code_commit, version.entry_point, work_dir / CODE_DIR
    )
    (work_dir / runner.OUTPUT_DIR).mkdir(parents=True, exist_ok=True)
    job = {
        "run_id": str(run.id),
        "notebook": str(code.notebook),
        "parameters": run.parameters,
        "dataset_path": run.dataset_path,
        "code": {"commit": code.commit, "verified": code.verified, "note": code.note},
    }
    (work_dir / runner.JOB_FILE).write_text(json.dumps(job, indent=2))
    with (work_dir / runner.LOG_FILE).open("a") as log:
        log.write(code.note + "\n")


def recorded_job(work_dir: Path) -> dict:
    """The job.json of a run's work directory, or {} when there is none."""
    path = Path(work_dir) / runner.JOB_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def process_alive(pid: int, run_id: str) -> bool:
    """True while process ``pid`` is running the job of ``run_id`` (not a zombie, not reused)."""
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it if this process started it
    except ChildProcessError:
        pass
    proc = Path(f"/proc/{pid}")
    try:
        state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        cmdline = (proc / "cmdline").read_bytes().decode("utf-8", "replace")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in {"Z", "X"} and run_id in cmdline


def child_pids(pid: int) -> list[int]:
    """Process ids whose parent is ``pid``."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            children.append(int(stat.parent.name))
    return children


def result_status(work_dir: Path) -> Status | None:
    """The final status written by the runner, or None while it has not ended."""
    path = work_dir / runner.RESULT_FILE
    if not path.exists():
        return None
    result = json.loads(path.read_text())
    state = RunState.COMPLETE if result["exit_code"] == 0 else RunState.EXECUTOR_ERROR
    return Status(
        state=state,
        log=read_log(work_dir),
        error=result.get("error", ""),
        exit_code=result["exit_code"],
    )


class LocalBackend(Backend):
    """Papermill on this machine, one process per run."""

    name = "local"

    def submit(self, run) -> Submission:
        """Start ``python -m execution.runner WORK_DIR`` in a new session."""
        work_dir = run_directory(run)
        work_dir.mkdir(parents=True, exist_ok=True)
        write_job(run, work_dir)
        with (work_dir / runner.LOG_FILE).open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [sys.executable, "-m", "execution.runner", str(work_dir)],
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return Submission(external_id=str(process.pid), state=RunState.RUNNING)

    def find(self, run) -> Submission | None:
        """The runner process of ``run`` (by its command line), or its result if it ended."""
        work_dir = run_directory(run)
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit() and process_alive(int(proc.name), str(work_dir)):
                cmdline = (proc / "cmdline").read_bytes().split(b"\0")
                if b"execution.runner" in cmdline:
                    return Submission(external_id=proc.name, state=RunState.RUNNING)
        if (work_dir / runner.RESULT_FILE).exists():
            return Submission(external_id="0", state=RunState.RUNNING)  # ended: poll reads it
        return None

    def poll(self, run) -> Status:
        """COMPLETE or EXECUTOR_ERROR once result.json exists; RUNNING while the process lives."""
        work_dir = run_directory(run)
        finished = result_status(work_dir)
        if finished is not None:
            return finished
        if run.external_id and process_alive(int(run.external_id), str(run.id)):
            return Status(state=RunState.RUNNING, log=read_log(work_dir))
        finished = result_status(work_dir)  # it may have ended between the two checks
        if finished is not None:
            return finished
        return Status(
            state=RunState.SYSTEM_ERROR,
            log=read_log(work_dir),
            error="The job process ended without writing a result.",
        )

    def cancel(self, run) -> None:
        """Terminate the job's process group (found by its command line when its id was never
        saved)."""
        job_id = run.external_id
        if not job_id:
            found = self.find(run)
            job_id = found.external_id if found else ""
        if not job_id or job_id == "0":
            return
        pid = int(job_id)
        if not process_alive(pid, str(run.id)):
            return
        # The kernel runs in a session of its own (jupyter_client): stop it too, not only the
        # runner's group, so the notebook cannot go on writing outputs.
        for group in [pid, *child_pids(pid)]:
            try:
                os.killpg(group, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                continue

    def fetch_outputs(self, run) -> list[OutputFile]:
        """Files the notebook wrote into its output_dir."""
        return collect_outputs(run_directory(run) / runner.OUTPUT_DIR)

    def describe(self) -> BackendInfo:
        """Papermill on the server itself."""
        return BackendInfo(name=self.name, label="Local (papermill)")
