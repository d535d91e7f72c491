"""Choices of the execution app: GA4GH WES run states and backend names."""

from django.db import models


class RunState(models.TextChoices):
    """The states of a run, exactly as GA4GH WES 1.1 names them."""

    QUEUED = "QUEUED", "Queued"
    INITIALIZING = "INITIALIZING", "Initializing"
    RUNNING = "RUNNING", "Running"
    COMPLETE = "COMPLETE", "Complete"
    EXECUTOR_ERROR = "EXECUTOR_ERROR", "Executor error"
    SYSTEM_ERROR = "SYSTEM_ERROR", "System error"
    CANCELING = "CANCELING", "Canceling"
    CANCELED = "CANCELED", "Canceled"


TERMINAL_STATES = frozenset(
    {RunState.COMPLETE, RunState.EXECUTOR_ERROR, RunState.SYSTEM_ERROR, RunState.CANCELED}
)

# Legal transitions: from a state to the states it may move to. Anything else is a conflict.
TRANSITIONS: dict[str, frozenset[str]] = {
    RunState.QUEUED: frozenset(
        {RunState.INITIALIZING, RunState.CANCELING, RunState.CANCELED, RunState.SYSTEM_ERROR}
    ),
    RunState.INITIALIZING: frozenset(
        {
            RunState.RUNNING,
            RunState.COMPLETE,
            RunState.EXECUTOR_ERROR,
            RunState.SYSTEM_ERROR,
            RunState.CANCELING,
            RunState.QUEUED,  # a transient backend error sends the run back for a retry
        }
    ),
    RunState.RUNNING: frozenset(
        {
            RunState.COMPLETE,
            RunState.EXECUTOR_ERROR,
            RunState.SYSTEM_ERROR,
            RunState.CANCELING,
        }
    ),
    RunState.CANCELING: frozenset({RunState.CANCELED, RunState.SYSTEM_ERROR}),
    RunState.COMPLETE: frozenset(),
    RunState.EXECUTOR_ERROR: frozenset(),
    RunState.SYSTEM_ERROR: frozenset(),
    RunState.CANCELED: frozenset(),
}


class BackendName(models.TextChoices):
    """Where a run executes."""

    LOCAL = "local", "Local (papermill)"
    JUPYTERHUB = "jupyterhub", "JupyterHub"
    SLURM = "slurm", "Slurm (slurmrestd)"
    BINDER = "binder", "BinderHub link-out"
    VISA = "visa", "VISA link-out"
