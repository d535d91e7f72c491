"""Celery tasks of the execution app: they take run ids and are safe to deliver twice.

``execute_run`` is acknowledged late (after it returns), so a worker that dies mid-run leaves
the message to be redelivered; the redelivered task finds the job by the run's
``external_id`` and keeps watching it instead of starting a second one (see
:func:`execution.services.drive`).
"""

from celery import Task, shared_task
from django.conf import settings

from execution import services
from execution.backends import TransientBackendError


class RunTask(Task):
    """A task on one run: when it finally fails, the run ends in SYSTEM_ERROR, never hangs."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        """Record the failure on the run once retries are exhausted."""
        services.fail_run(args[0], f"{type(exc).__name__}: {exc}")


@shared_task(
    bind=True,
    base=RunTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientBackendError,),
    retry_backoff=2,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=8,
)
def execute_run(self, run_id: str) -> str:
    """Start the run's job at its backend and watch it to the end; return the final state."""
    deadline = getattr(settings, "EXECUTION_TASK_DEADLINE_SECONDS", None)
    return services.drive(run_id, deadline_seconds=deadline)


@shared_task(acks_late=True)
def cancel_run(run_id: str) -> str:
    """Stop a CANCELING run's job at its backend (used when the request could not)."""
    run = services.Run.objects.filter(pk=run_id).first()
    if run is None or run.is_terminal:
        return run.state if run else "missing"
    services.stop_at_backend(run)
    return run.state
