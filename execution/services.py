"""Logic of runs that is not HTTP: create, move through WES states, drive, cancel, finish.

Every state change goes through :func:`try_transition`, a conditional UPDATE on the state the
caller last saw, so two workers (or a worker and a cancel request) never both win a race, and
every change is recorded as a :class:`RunEvent`.
"""

import logging
import time
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from config.api.errors import ConflictError, DomainError, ServiceUnavailableError
from datasets.models import Dataset
from datasets.services import resolve_data_path
from execution.backends import (
    BackendError,
    JobNotFoundError,
    Status,
    TransientBackendError,
    choose_backend,
    get_backend,
)
from execution.choices import TERMINAL_STATES, TRANSITIONS, RunState
from execution.models import Run, RunEvent, RunOutput
from recommender import signals as recommender_signals
from registry.choices import VersionStatus
from registry.models import Facility, Procedure, ProcedureVersion

logger = logging.getLogger(__name__)

RESERVED_PARAMETERS = ("dataset_path", "output_dir")


def parameter_errors(version: ProcedureVersion, parameters) -> list[dict]:
    """Every way ``parameters`` break the version's input JSON Schema (Draft 2020-12)."""
    if not isinstance(parameters, dict):
        return [{"path": "", "message": "Parameters must be a JSON object."}]
    errors = [
        {"path": name, "message": f"{name!r} is set by the registry and cannot be given."}
        for name in RESERVED_PARAMETERS
        if name in parameters
    ]
    schema = version.input_schema or {"type": "object"}
    try:
        validator = Draft202012Validator(schema)
        validator.check_schema(schema)
    except SchemaError as exc:
        return [*errors, {"path": "", "message": f"The version's input schema is invalid: {exc}"}]
    for error in sorted(validator.iter_errors(parameters), key=lambda e: list(e.path)):
        path = "/".join(str(part) for part in error.absolute_path)
        errors.append({"path": path, "message": error.message, "validator": error.validator})
    return errors


def fill_defaults(version: ProcedureVersion, parameters: dict) -> dict:
    """The parameters with the top-level defaults of the schema filled in (recorded as run)."""
    properties = (version.input_schema or {}).get("properties", {})
    filled = {
        name: spec["default"]
        for name, spec in properties.items()
        if isinstance(spec, dict) and "default" in spec
    }
    return {**filled, **parameters}


def resolve_dataset(user, dataset_pid: str, dataset_path: str) -> tuple[Dataset | None, str]:
    """The dataset (by PID, visible to ``user``) and the file path the notebook reads."""
    dataset = None
    if dataset_pid:
        dataset = Dataset.objects.visible_to(user).filter(pid=dataset_pid).first()
        if dataset is None:
            raise DomainError(
                f"No dataset {dataset_pid!r}.", {"dataset": [dataset_pid]}, "unknown_dataset"
            )
        dataset_path = dataset_path or dataset.source_path
    if dataset_path:
        dataset_path = str(resolve_data_path(dataset_path))
    return dataset, dataset_path


def check_runnable(version: ProcedureVersion, user) -> None:
    """Refuse draft versions to anyone but staff and the procedure's owners."""
    if version.status != VersionStatus.DRAFT or user.is_staff:
        return
    if not version.procedure.owners.filter(pk=user.pk).exists():
        raise DomainError(
            f"Version {version} is a draft; only its owners can run it.", code="draft_version"
        )


def check_facility(facility_slug: str) -> None:
    """Refuse a facility that is neither registered nor named in EXECUTION_BACKENDS."""
    configured = set(getattr(settings, "EXECUTION_BACKENDS", {}) or {}) - {"*"}
    if not facility_slug or facility_slug in configured:
        return
    if not Facility.objects.filter(slug=facility_slug).exists():
        raise DomainError(
            f"Unknown facility {facility_slug!r}.",
            {"facility": [facility_slug]},
            "unknown_facility",
        )


def create_run(
    *,
    version: ProcedureVersion,
    owner,
    parameters: dict | None = None,
    dataset_pid: str = "",
    dataset_path: str = "",
    backend: str = "",
    facility_slug: str = "",
    tags: dict | None = None,
) -> Run:
    """Validate and queue a run; the task is sent once the transaction commits."""
    parameters = {} if parameters is None else parameters
    check_runnable(version, owner)
    errors = parameter_errors(version, parameters)
    if errors:
        raise DomainError(
            f"The parameters do not match the input schema of {version} "
            f"({len(errors)} error{'s' if len(errors) != 1 else ''}).",
            {"parameters": errors},
            "invalid_parameters",
        )
    dataset, dataset_path = resolve_dataset(owner, dataset_pid, dataset_path)
    check_facility(facility_slug)
    if not facility_slug:
        facility_slug = (dataset.facility_slug if dataset else "") or ""
    backend = choose_backend(backend, facility_slug)
    with transaction.atomic():
        run = Run.objects.create(
            version=version,
            owner=owner,
            dataset=dataset,
            dataset_path=dataset_path,
            parameters=fill_defaults(version, parameters),
            backend=backend,
            facility_slug=facility_slug,
            tags=tags or {},
        )
        RunEvent.objects.create(run=run, to_state=RunState.QUEUED, message="created")
        transaction.on_commit(partial(dispatch, run.pk))
    return run


def dispatch(run_id) -> None:
    """Send the run's task to the broker; a broker that is down answers 503 and the run that
    could not be sent is deleted, so the user's list holds no run that never started."""
    from execution import tasks

    try:
        tasks.execute_run.apply_async(args=[str(run_id)])
    except Exception as exc:  # kombu raises several types for an unreachable broker
        # Only a run nobody has touched: an eager task that failed has moved it on already.
        Run.objects.filter(pk=run_id, state=RunState.QUEUED, submissions=0).delete()
        raise ServiceUnavailableError(
            "The task queue is not reachable; the run was not started.", {"broker": str(exc)}
        ) from exc


def try_transition(run: Run, to_state: str, message: str = "", **fields) -> bool:
    """Move ``run`` from the state it has in memory to ``to_state``.

    Returns False when the stored state changed meanwhile (someone else won the race);
    raises ConflictError when the move is not in the transition table.
    """
    from_state = run.state
    if to_state not in TRANSITIONS[from_state]:
        raise ConflictError(
            f"A run cannot go from {from_state} to {to_state}.",
            {"state": from_state, "requested": to_state},
            "illegal_transition",
        )
    now = timezone.now()
    if to_state == RunState.RUNNING and run.started_at is None:
        fields.setdefault("started_at", now)
    if to_state in TERMINAL_STATES:
        fields.setdefault("ended_at", now)
        fields.setdefault("lease_token", None)
    with transaction.atomic():
        changed = Run.objects.filter(pk=run.pk, state=from_state).update(
            state=to_state, updated_at=now, **fields
        )
        if not changed:
            return False
        RunEvent.objects.create(run=run, from_state=from_state, to_state=to_state, message=message)
    run.refresh_from_db()
    return True


def transition(run: Run, to_state: str, message: str = "", **fields) -> None:
    """Like :func:`try_transition`, but a lost race is a conflict too."""
    if not try_transition(run, to_state, message, **fields):
        run.refresh_from_db()
        raise ConflictError(
            f"The run changed to {run.state} meanwhile.", {"state": run.state}, "state_changed"
        )


def lease_seconds() -> int:
    """How long a worker's claim on a run lasts without renewal."""
    return int(getattr(settings, "EXECUTION_LEASE_SECONDS", 60))


def acquire_lease(run: Run, token: uuid.UUID) -> bool:
    """Claim the right to drive ``run``: free, expired, or already ours (conditional UPDATE)."""
    now = timezone.now()
    free = Q(lease_token__isnull=True) | Q(lease_expires__lt=now) | Q(lease_token=token)
    claimed = (
        Run.objects.filter(pk=run.pk)
        .exclude(state__in=TERMINAL_STATES)
        .filter(free)
        .update(lease_token=token, lease_expires=now + timedelta(seconds=lease_seconds()))
    )
    return claimed == 1


def release_lease(run: Run, token: uuid.UUID) -> None:
    """Give up the claim on ``run`` if we still hold it."""
    Run.objects.filter(pk=run.pk, lease_token=token).update(lease_token=None, lease_expires=None)


def cancel_run(run: Run, message: str = "canceled by the user") -> Run:
    """Cancel ``run``: a queued run at once, a started one by stopping its job at the backend."""
    if run.is_terminal:
        raise ConflictError(
            f"The run is already {run.state}.", {"state": run.state}, "run_finished"
        )
    if run.state == RunState.QUEUED and try_transition(run, RunState.CANCELED, message):
        write_crate_safely(run)
        return run
    run.refresh_from_db()
    if run.state in (RunState.INITIALIZING, RunState.RUNNING):
        if not try_transition(run, RunState.CANCELING, message):
            run.refresh_from_db()
    if run.state == RunState.CANCELING and run.external_id:
        stop_at_backend(run)
    return run


def stop_at_backend(run: Run, *, retry_in_task: bool = True) -> None:
    """Cancel the job at the backend and record CANCELED.

    A transient backend error leaves the run CANCELING and hands the cancel to the
    ``cancel_run`` task, which retries with backoff (``retry_in_task=False``: the error
    propagates, for a task that retries itself); a permanent one ends the run in SYSTEM_ERROR
    with the reason, since nothing will ever stop the job from here.
    """
    try:
        get_backend(run.backend).cancel(run)
    except JobNotFoundError:
        pass  # nothing left to stop
    except TransientBackendError as exc:
        if not retry_in_task:
            raise
        logger.warning("cancel of run %s failed at %s, retrying: %s", run.pk, run.backend, exc)
        transaction.on_commit(partial(send_cancel, run.pk))
        return
    except BackendError as exc:
        fail_run(run.pk, f"The backend could not cancel the job: {exc}")
        return
    if try_transition(run, RunState.CANCELED, "stopped at the backend"):
        write_crate_safely(run)


def send_cancel(run_id) -> None:
    """Queue the ``cancel_run`` task. With the broker down the run stays CANCELING: a driver
    still watching it stops the job at its next poll, and asking to cancel again retries."""
    from execution import tasks

    try:
        tasks.cancel_run.apply_async(args=[str(run_id)], countdown=1)
    except Exception:  # kombu raises several types for an unreachable broker
        logger.exception("could not queue the cancel of run %s", run_id)


def finish(run: Run, status: Status) -> bool:
    """Record the final state, the outputs and the popularity count; write the crate."""
    backend = get_backend(run.backend)
    if status.state == RunState.CANCELED and run.state != RunState.CANCELING:
        # stopped at the backend by someone else (scancel, the Hub's admin page)
        if not try_transition(run, RunState.CANCELING, "canceled at the backend"):
            return False
    outputs = backend.fetch_outputs(run) if status.state != RunState.SYSTEM_ERROR else []
    with transaction.atomic():
        done = try_transition(
            run,
            status.state,
            status.error or "finished",
            log=status.log or run.log,
            error=status.error,
            exit_code=status.exit_code,
        )
        if not done:
            return False
        RunOutput.objects.bulk_create(
            RunOutput(run=run, name=o.name, size=o.size, sha256=o.sha256) for o in outputs
        )
        if status.state == RunState.COMPLETE:
            Procedure.objects.filter(pk=run.version.procedure_id).update(
                successful_runs=F("successful_runs") + 1
            )
            recommender_signals.sync_procedure(run.version.procedure_id)  # popularity
    write_crate_safely(run)
    return True


def write_crate_safely(run: Run) -> None:
    """Write the run's RO-Crate; a failure is logged, never turns a finished run into an error."""
    from execution.crate import write_run_crate

    try:
        write_run_crate(run)
    except Exception:  # provenance must not break the run it describes
        logger.exception("could not write the RO-Crate of run %s", run.pk)


def submit(run: Run) -> None:
    """Start the job of a claimed INITIALIZING run and record where it runs.

    The attempt is counted before the job starts: a worker that dies after starting it but
    before saving its id leaves ``submissions > 0`` with no ``external_id``, and the next
    worker asks the backend to find that job instead of starting a second one.
    """
    backend = get_backend(run.backend)
    submission = backend.find(run) if run.submissions else None
    if submission is not None:
        message = f"adopted job {submission.external_id} started by an earlier worker"
        Run.objects.filter(pk=run.pk).update(log=f"{run.log}{message}\n".lstrip())
    else:
        Run.objects.filter(pk=run.pk).update(submissions=F("submissions") + 1)
        submission = backend.submit(run)
    Run.objects.filter(pk=run.pk, external_id="").update(
        external_id=submission.external_id,
        external_url=submission.external_url,
        **({"log": submission.log} if submission.log else {}),
    )
    run.refresh_from_db()
    if submission.state in TERMINAL_STATES:
        finish(run, Status(state=submission.state, log=submission.log))
    elif submission.state == RunState.RUNNING and not try_transition(
        run, RunState.RUNNING, f"started at {run.backend}: {submission.external_id}"
    ):
        run.refresh_from_db()


def poll_interval() -> float:
    """Seconds between two polls of a backend."""
    return float(getattr(settings, "EXECUTION_POLL_SECONDS", 1.0))


def step(run: Run) -> bool:
    """Advance a claimed run by one poll; True when the driver should stop watching it."""
    run.refresh_from_db()
    if run.is_terminal:
        return True
    if run.state == RunState.CANCELING:
        stop_at_backend(run, retry_in_task=False)  # a transient error: execute_run retries
        return True
    if run.state == RunState.QUEUED and not try_transition(
        run, RunState.INITIALIZING, "claimed by a worker"
    ):
        return False
    if not run.external_id:
        submit(run)
        return run.is_terminal
    backend = get_backend(run.backend)
    status = backend.poll(run)
    if status.state in TERMINAL_STATES:
        return finish(run, status) or True
    if status.log:
        Run.objects.filter(pk=run.pk).update(log=status.log)
    if status.external_url and status.external_url != run.external_url:
        Run.objects.filter(pk=run.pk).update(external_url=status.external_url)
    if status.state == RunState.RUNNING and run.state == RunState.INITIALIZING:
        try_transition(run, RunState.RUNNING, "running", external_url=status.external_url)
    return run.state == RunState.RUNNING and backend.describe().interactive


def guarded_step(run: Run) -> bool:
    """:func:`step`, turning a permanent backend or domain error into SYSTEM_ERROR.

    Transient backend errors propagate, so the Celery task retries with backoff.
    """
    try:
        return step(run)
    except TransientBackendError:
        raise
    except (BackendError, DomainError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        run.refresh_from_db()
        if not run.is_terminal:
            finish(run, Status(state=RunState.SYSTEM_ERROR, error=message, log=run.log))
        return True


def fail_run(run_id, message: str) -> None:
    """End a run that cannot go on in SYSTEM_ERROR (nothing happens if it already ended)."""
    run = Run.objects.filter(pk=run_id).first()
    if run is not None and not run.is_terminal:
        finish(run, Status(state=RunState.SYSTEM_ERROR, error=message, log=run.log))


def drive(run_id, deadline_seconds: float | None = None) -> str:
    """Drive a run to the end (or, for interactive backends, until it is open).

    Safe to call twice for one run: only the holder of the lease acts; a second caller
    watches until the lease frees up (its holder died) or the run ends.
    """
    token = uuid.uuid4()
    deadline = time.monotonic() + (deadline_seconds or float("inf"))
    run = Run.objects.filter(pk=run_id).select_related("version__procedure").first()
    if run is None:
        return "missing"
    try:
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.is_terminal:
                return run.state
            if acquire_lease(run, token) and guarded_step(run):
                run.refresh_from_db()
                return run.state
            time.sleep(poll_interval())
        return run.state
    finally:
        release_lease(run, token)


def recover_stale_runs() -> list:
    """Free the runs whose driver died (lease expired, run not ended); return their ids.

    Each is freed by a conditional UPDATE on the lease it had, so of two workers starting at
    once only one re-sends a run. A run whose job is running is watched again, not restarted
    (:func:`drive` finds it by its ``external_id``).
    """
    stale = (
        Run.objects.exclude(state__in=TERMINAL_STATES)
        .filter(lease_expires__lt=timezone.now())
        .values_list("pk", "lease_token")
    )
    return [
        pk
        for pk, token in stale
        if Run.objects.filter(pk=pk, lease_token=token, lease_expires__lt=timezone.now()).update(
            lease_token=None, lease_expires=None
        )
    ]


def refresh(run: Run) -> Run:
    """Poll an open interactive run (JupyterHub) so readers see when it has stopped."""
    if run.state != RunState.RUNNING or not run.external_id:
        return run
    backend = get_backend(run.backend)
    if not backend.describe().interactive:
        return run
    try:
        status = backend.poll(run)
    except (TransientBackendError, BackendError) as exc:
        logger.info("could not refresh run %s: %s", run.pk, exc)
        return run
    if status.state in TERMINAL_STATES:
        finish(run, status)
        run.refresh_from_db()
    return run
