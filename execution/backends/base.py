"""The one interface every execution backend implements, and the errors it may raise."""

from dataclasses import dataclass, field

from execution.choices import RunState


class BackendError(Exception):
    """A backend failed in a way that retrying will not fix (bad token, unknown job)."""


class TransientBackendError(BackendError):
    """A backend is briefly unreachable or overloaded: the task retries with backoff."""


class JobNotFoundError(BackendError):
    """The backend no longer knows the job (purged, or never existed)."""


@dataclass
class Submission:
    """What a backend returns once it has started a job."""

    external_id: str
    external_url: str = ""
    state: str = RunState.RUNNING
    log: str = ""


@dataclass
class Status:
    """What a backend reports about a job: its WES state and what it knows so far."""

    state: str
    log: str = ""
    error: str = ""
    exit_code: int | None = None
    external_url: str = ""


@dataclass
class OutputFile:
    """One output file collected from a finished job."""

    name: str
    size: int
    sha256: str
    path: str = ""


@dataclass
class BackendInfo:
    """What a backend says about itself (for service-info and the portal)."""

    name: str
    label: str
    interactive: bool = False
    link_out: bool = False
    details: dict = field(default_factory=dict)


class Backend:
    """Start, watch, stop and collect a run somewhere.

    Implementations are stateless: everything they need is on the run (``external_id``,
    ``work_dir``) or in settings, so any worker can pick a run up where another left it.
    """

    name = ""

    def submit(self, run) -> Submission:
        """Start the job of ``run`` and say how to find it again."""
        raise NotImplementedError

    def poll(self, run) -> Status:
        """Report the current state of the job of ``run``."""
        raise NotImplementedError

    def find(self, run) -> Submission | None:
        """The job of ``run`` if one was started but its id never recorded (the worker died
        between starting it and saving the id); None when there is none."""
        return None

    def cancel(self, run) -> None:
        """Stop the job of ``run``; stopping a job that already ended is not an error."""
        raise NotImplementedError

    def fetch_outputs(self, run) -> list[OutputFile]:
        """Collect the output files of a finished ``run`` with their checksums."""
        return []

    def describe(self) -> BackendInfo:
        """Say what this backend is."""
        return BackendInfo(name=self.name, label=self.name)

    def missing_settings(self) -> list[str]:
        """Names of the settings this backend needs that are empty (none: it can run)."""
        return []
