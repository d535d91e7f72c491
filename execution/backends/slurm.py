"""The Slurm backend: a batch job submitted through slurmrestd (API v0.0.38, JWT auth).

The job runs the same runner as the local backend, in the run's work directory (a shared
file system is assumed), so outputs are collected the same way.
"""

import sys

from django.conf import settings

from execution.backends.base import (
    Backend,
    BackendError,
    BackendInfo,
    JobNotFoundError,
    Status,
    Submission,
    TransientBackendError,
)
from execution.backends.http import call, json_or_empty
from execution.backends.local import collect_outputs, read_log, run_directory, write_job
from execution.choices import RunState
from execution.runner import LOG_FILE, OUTPUT_DIR, result_status_from

API = "/slurm/v0.0.38"
INVALID_JOB_ID = 2017  # ESLURM_INVALID_JOB_ID

# Slurm job states, mapped to WES.
SLURM_STATES = {
    "PENDING": RunState.INITIALIZING,
    "CONFIGURING": RunState.INITIALIZING,
    "REQUEUED": RunState.INITIALIZING,
    "RESIZING": RunState.RUNNING,
    "RUNNING": RunState.RUNNING,
    "COMPLETING": RunState.RUNNING,
    "SUSPENDED": RunState.RUNNING,
    "COMPLETED": RunState.COMPLETE,
    "CANCELLED": RunState.CANCELED,
    "FAILED": RunState.EXECUTOR_ERROR,
    "TIMEOUT": RunState.EXECUTOR_ERROR,
    "OUT_OF_MEMORY": RunState.EXECUTOR_ERROR,
    "DEADLINE": RunState.EXECUTOR_ERROR,
    "PREEMPTED": RunState.SYSTEM_ERROR,
    "NODE_FAIL": RunState.SYSTEM_ERROR,
    "BOOT_FAIL": RunState.SYSTEM_ERROR,
}


def slurm_errors(body: dict) -> str:
    """The error texts slurmrestd put in a response body."""
    return "; ".join(
        str(e.get("error") or e.get("description") or e) for e in body.get("errors") or []
    )


class SlurmBackend(Backend):
    """Batch jobs on a Slurm cluster through slurmrestd."""

    name = "slurm"

    def headers(self) -> dict:
        """The JWT headers of slurmrestd."""
        if not (settings.SLURM_JWT_USER and settings.SLURM_JWT_TOKEN):
            raise BackendError("SLURM_JWT_USER and SLURM_JWT_TOKEN are not set.")
        return {
            "X-SLURM-USER-NAME": settings.SLURM_JWT_USER,
            "X-SLURM-USER-TOKEN": settings.SLURM_JWT_TOKEN,
        }

    def api(self, method: str, path: str, job_id: str = "", **kwargs) -> dict:
        """Call slurmrestd with the JWT headers; map its 500s to what they mean.

        slurmrestd answers 500 both for a token it refuses and for a job it does not know.
        An unknown job carries Slurm's error number 2017 (ESLURM_INVALID_JOB_ID); anything
        else is checked against ``/ping``, which fails only when the token is refused.
        """
        url = settings.SLURMRESTD_URL.rstrip("/") + API + path
        response = call(method, url, headers=self.headers(), **kwargs)
        body = json_or_empty(response)
        if response.status_code < 400 and not body.get("errors"):
            return body
        text = slurm_errors(body) or response.text[:300]
        numbers = {e.get("error_number") for e in body.get("errors") or [] if isinstance(e, dict)}
        if INVALID_JOB_ID in numbers or "invalid job id" in text.lower():
            raise JobNotFoundError(f"The job was lost: Slurm does not know job {job_id}: {text}")
        if response.status_code in (401, 403) or not self.token_accepted():
            raise BackendError(
                f"slurmrestd refused the JWT of user {settings.SLURM_JWT_USER!r} "
                f"(HTTP {response.status_code}): renew SLURM_JWT_TOKEN "
                "(scontrol token username=USER lifespan=SECONDS)."
            )
        if response.status_code == 500 and not text:
            raise TransientBackendError(f"slurmrestd: HTTP 500 on {method} {path}")
        raise BackendError(f"slurmrestd: HTTP {response.status_code} on {method} {path}: {text}")

    def token_accepted(self) -> bool:
        """True when slurmrestd accepts the token (``/ping`` needs a valid one)."""
        url = settings.SLURMRESTD_URL.rstrip("/") + API + "/ping"
        return call("GET", url, headers=self.headers()).status_code == 200

    def job_description(self, run) -> dict:
        """The job: runner script, work directory, log file and a required environment."""
        work_dir = run_directory(run)
        job = {
            "name": f"run-{run.id}",
            "current_working_directory": str(work_dir),
            "standard_output": str(work_dir / LOG_FILE),
            "environment": {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(settings.BASE_DIR)},
        }
        if settings.SLURM_PARTITION:
            job["partition"] = settings.SLURM_PARTITION
        return job

    def submit(self, run) -> Submission:
        """Write job.json and submit the runner as a batch script."""
        work_dir = run_directory(run)
        work_dir.mkdir(parents=True, exist_ok=True)
        (work_dir / OUTPUT_DIR).mkdir(exist_ok=True)
        write_job(run, work_dir)
        script = (
            "#!/bin/bash\n"
            f"cd {settings.BASE_DIR}\n"
            f"exec {sys.executable} -m execution.runner {work_dir} run-{run.id}\n"
        )
        body = self.api(
            "POST", "/job/submit", json={"script": script, "job": self.job_description(run)}
        )
        job_id = body.get("job_id")
        if job_id is None:
            raise BackendError(f"slurmrestd gave no job id: {body}")
        return Submission(external_id=str(job_id), state=RunState.INITIALIZING)

    def find(self, run) -> Submission | None:
        """A job named after ``run`` that Slurm still knows and that was not cancelled."""
        name = self.job_description(run)["name"]
        for job in self.api("GET", "/jobs").get("jobs") or []:
            if job.get("name") == name and str(job.get("job_state")).upper() != "CANCELLED":
                return Submission(external_id=str(job["job_id"]), state=RunState.INITIALIZING)
        return None

    def poll(self, run) -> Status:
        """Read ``jobs[0].job_state`` and map it to WES."""
        body = self.api("GET", f"/job/{run.external_id}", job_id=run.external_id)
        jobs = body.get("jobs") or []
        if not jobs:
            raise JobNotFoundError(f"Slurm does not know job {run.external_id}.")
        slurm_state = str(jobs[0].get("job_state", "")).upper()
        state = SLURM_STATES.get(slurm_state, RunState.RUNNING)
        work_dir = run_directory(run)
        if state not in (RunState.COMPLETE, RunState.EXECUTOR_ERROR):
            error = f"Slurm job {slurm_state}" if state == RunState.SYSTEM_ERROR else ""
            return Status(state=state, log=read_log(work_dir), error=error)
        finished = result_status_from(work_dir)  # the runner's own verdict, when it wrote one
        if finished is None:
            exit_code = 0 if state == RunState.COMPLETE else None
            error = "" if exit_code == 0 else f"Slurm job {slurm_state}"
        else:
            exit_code, error = finished["exit_code"], finished["error"]
        return Status(
            state=RunState.COMPLETE if exit_code == 0 else RunState.EXECUTOR_ERROR,
            log=read_log(work_dir),
            error=error,
            exit_code=exit_code,
        )

    def cancel(self, run) -> None:
        """DELETE the job (Slurm marks it CANCELLED); found by name when its id was never saved."""
        job_id = run.external_id
        if not job_id:
            found = self.find(run)
            if found is None:
                return
            job_id = found.external_id
        self.api("DELETE", f"/job/{job_id}", job_id=job_id)

    def fetch_outputs(self, run):
        """Files the job wrote into the run's output folder."""
        return collect_outputs(run_directory(run) / OUTPUT_DIR)

    def describe(self) -> BackendInfo:
        """Batch jobs on a cluster."""
        return BackendInfo(name=self.name, label="Slurm", details={"url": settings.SLURMRESTD_URL})

    def missing_settings(self) -> list[str]:
        """slurmrestd's URL and the JWT user and token."""
        names = ("SLURMRESTD_URL", "SLURM_JWT_USER", "SLURM_JWT_TOKEN")
        return [name for name in names if not getattr(settings, name, "")]
