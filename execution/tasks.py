"""Celery tasks of the execution app: they take run ids and are safe to deliver twice.

``execute_run`` is acknowledged late (after it returns), so a worker that dies mid-run leaves
the message to be redelivered; the redelivered task finds the job by the run's
``external_id`` and keeps watching it instead of starting a second one (see
:func:`execution.services.drive`). The server-less filesystem broker deletes a message when it
is read, so there nothing is redelivered: a starting worker re-sends the runs whose driver's
lease expired instead.
"""

import logging

from celery import Task, shared_task
from celery.signals import worker_ready
from django.conf import settings

from execution import services
from execution.backends import TransientBackendError

logger = logging.getLogger(__name__)


class RunTask(Task):
    """A task on one run: when it finally fails, the run ends in SYSTEM_ERROR, never hangs."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        """Record the failure on the run once retries are exhausted."""
        services.fail_run(args[0], f"{type(exc).__name__}: {exc}")


# Transient backend errors (a remote briefly unreachable) are retried with growing, jittered
# waits; acks_late so that a task lost with its worker is delivered again.
RETRIED_ON_TRANSIENT_ERRORS = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (TransientBackendError,),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(base=RunTask, reject_on_worker_lost=True, **RETRIED_ON_TRANSIENT_ERRORS)
def execute_run(self, run_id: str) -> str:
    """Start the run's job at its backend and watch it to the end; return the final state."""
    deadline = getattr(settings, "EXECUTION_TASK_DEADLINE_SECONDS", None)
    return services.drive(run_id, deadline_seconds=deadline)


class CancelTask(Task):
    """The cancel of one run: when retries are exhausted the run ends in SYSTEM_ERROR."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        """Record why the job could not be stopped."""
        services.fail_run(args[0], f"The backend could not cancel the job after retries: {exc}")


@shared_task(base=CancelTask, **RETRIED_ON_TRANSIENT_ERRORS)
def cancel_run(self, run_id: str) -> str:
    """Stop a CANCELING run's job at its backend (sent when the request could not)."""
    run = services.Run.objects.filter(pk=run_id).first()
    if run is None or run.is_terminal:
        return run.state if run else "missing"
    services.stop_at_backend(run, retry_in_task=False)
    run.refresh_from_db()
    return run.state


@worker_ready.connect
def recover_stale_runs_on_start(sender=None, **kwargs) -> None:
    """Re-send the runs whose worker died, when this worker starts (see
    :func:`execution.services.recover_stale_runs`)."""
    if not getattr(settings, "EXECUTION_RECOVER_ON_WORKER_START", True):
        return
    try:
        recovered = services.recover_stale_runs()
    except Exception:  # a worker must start even when the database is briefly away
        logger.exception("could not recover the runs of dead workers")
        return
    for run_id in recovered:
        execute_run.apply_async(args=[str(run_id)])
    if recovered:
        logger.warning("re-sent %d run(s) whose worker died", len(recovered))
