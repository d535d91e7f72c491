"""A test double: a stand-in for a remote backend (a facility cluster behind a flaky network).

No real server can be made to fail transiently a given number of times on cue here, so the
retry and cancel tests register this backend through the project's backend configuration
(``EXECUTION_BACKEND_CLASSES``, ``EXECUTION_BACKENDS``) and script its failures. Its state is
kept on the class because the registry makes a new backend object for every call.
"""

from execution.backends import (
    Backend,
    BackendError,
    BackendInfo,
    Status,
    Submission,
    TransientBackendError,
)
from execution.choices import RunState

OUTAGE = "the remote is briefly unreachable (HTTP 503)"


class FlakyRemote(Backend):
    """Jobs on a pretend remote whose calls fail as the test scripts them."""

    name = "flaky"
    failures: dict[str, int] = {}  # call -> how many more times it fails transiently
    broken: set[str] = set()  # calls that fail permanently
    calls: dict[str, int] = {}  # call -> how many times it was made
    jobs: dict[str, str] = {}  # run id -> job id: the jobs the remote started
    canceled: list[str] = []  # job ids the remote stopped
    polls_until_done: int | None = 1  # None: the job runs until canceled

    @classmethod
    def reset(cls) -> None:
        """Forget every job and scripted failure."""
        cls.failures, cls.broken, cls.calls = {}, set(), {}
        cls.jobs, cls.canceled, cls.polls_until_done = {}, [], 1

    @classmethod
    def answer(cls, call: str) -> None:
        """Count the call; fail it if the test said so."""
        cls.calls[call] = cls.calls.get(call, 0) + 1
        if call in cls.broken:
            raise BackendError(f"the remote refused {call}: bad credentials")
        if cls.failures.get(call, 0) > 0:
            cls.failures[call] -= 1
            raise TransientBackendError(OUTAGE)

    def submit(self, run) -> Submission:
        """Start one job (a failed call starts nothing)."""
        self.answer("submit")
        job_id = f"job-{len(self.jobs) + 1}"
        type(self).jobs[str(run.id)] = job_id
        return Submission(external_id=job_id, state=RunState.RUNNING)

    def find(self, run) -> Submission | None:
        """The job started for ``run``, if any."""
        job_id = self.jobs.get(str(run.id))
        return Submission(external_id=job_id) if job_id else None

    def poll(self, run) -> Status:
        """RUNNING, then COMPLETE after ``polls_until_done`` good polls; CANCELED once stopped."""
        self.answer("poll")
        answered = type(self).calls["poll answered"] = self.calls.get("poll answered", 0) + 1
        if run.external_id in self.canceled:
            return Status(state=RunState.CANCELED)
        if self.polls_until_done is not None and answered >= self.polls_until_done:
            return Status(state=RunState.COMPLETE, log="done", exit_code=0)
        return Status(state=RunState.RUNNING, log="running")

    def cancel(self, run) -> None:
        """Stop the job."""
        self.answer("cancel")
        type(self).canceled.append(run.external_id)

    def describe(self) -> BackendInfo:
        """A batch backend somewhere else."""
        return BackendInfo(name=self.name, label="Flaky remote (test double)")
