"""The run state machine, retries and cancel against a flaky remote, checks at submission,
and recovery of the runs whose worker died (eager Celery: tasks run in the test process)."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from config.api.errors import ConflictError
from execution import services, tasks
from execution.choices import TERMINAL_STATES, TRANSITIONS, RunState
from execution.models import Run, RunEvent
from registry.models import Facility
from tests.execution.flaky import OUTAGE, FlakyRemote

pytestmark = pytest.mark.django_db
ATTEMPTS = tasks.execute_run.max_retries + 1


@pytest.fixture
def flaky(settings):
    """The flaky remote registered as backend ``flaky``, offered everywhere."""
    settings.EXECUTION_BACKEND_CLASSES = {"flaky": "tests.execution.flaky.FlakyRemote"}
    settings.EXECUTION_BACKENDS = {"*": ["local", "flaky"]}
    FlakyRemote.reset()
    yield FlakyRemote
    FlakyRemote.reset()


def start(version, user, capture) -> Run:
    """Create a run on the flaky remote and let its task run (on commit, eagerly)."""
    with capture(execute=True):
        run = services.create_run(version=version, owner=user, backend="flaky")
    run.refresh_from_db()
    return run


def running(version, user) -> Run:
    """A run whose job runs at the flaky remote until it is canceled."""
    FlakyRemote.polls_until_done = None
    run = services.create_run(version=version, owner=user, backend="flaky")  # not dispatched
    assert services.drive(run.pk, deadline_seconds=0.5) == RunState.RUNNING
    run.refresh_from_db()
    return run


def states(run: Run) -> list[str]:
    """The states ``run`` went through, from its events."""
    return list(run.events.values_list("to_state", flat=True))


# Legal transitions ---------------------------------------------------------------------------


@pytest.mark.parametrize("from_state", RunState.values)
def test_only_the_moves_of_the_transition_table_are_allowed(version, user, from_state):
    for to_state in RunState.values:
        run = Run.objects.create(version=version, owner=user, state=from_state)
        move = f"{from_state} -> {to_state}"
        if to_state in TRANSITIONS[from_state]:
            assert services.try_transition(run, to_state, "table test") is True, move
            assert Run.objects.get(pk=run.pk).state == to_state, move
            events = RunEvent.objects.filter(run=run)
            assert list(events.values_list("from_state", "to_state", "message")) == [
                (from_state, to_state, "table test")
            ], move
        else:
            with pytest.raises(ConflictError) as refused:
                services.try_transition(run, to_state, "table test")
            assert refused.value.code == "illegal_transition", move
            assert refused.value.details == {"state": from_state, "requested": to_state}, move
            assert Run.objects.get(pk=run.pk).state == from_state, move
            assert not RunEvent.objects.filter(run=run).exists(), move


def test_the_transition_table_covers_every_state_and_ends_at_the_terminal_ones():
    assert set(TRANSITIONS) == set(RunState.values)
    assert {s for s, moves in TRANSITIONS.items() if not moves} == set(TERMINAL_STATES)


def test_a_lost_race_changes_nothing(version, user):
    run = Run.objects.create(version=version, owner=user, state=RunState.RUNNING)
    Run.objects.filter(pk=run.pk).update(state=RunState.COMPLETE)  # another worker won
    assert services.try_transition(run, RunState.EXECUTOR_ERROR) is False
    assert Run.objects.get(pk=run.pk).state == RunState.COMPLETE
    assert not RunEvent.objects.filter(run=run).exists()


# Retries with backoff on transient backend errors -------------------------------------------


def test_transient_poll_errors_are_retried_and_the_run_completes_with_one_job(
    flaky, version, user, django_capture_on_commit_callbacks
):
    flaky.failures = {"poll": 3}
    run = start(version, user, django_capture_on_commit_callbacks)
    assert run.state == RunState.COMPLETE, run.error
    assert flaky.calls["poll"] == 4
    assert flaky.jobs == {str(run.pk): "job-1"} and run.external_id == "job-1"
    assert run.submissions == 1
    assert states(run) == ["QUEUED", "INITIALIZING", "RUNNING", "COMPLETE"]


def test_transient_submit_errors_are_retried_and_start_one_job(
    flaky, version, user, django_capture_on_commit_callbacks
):
    flaky.failures = {"submit": 2}
    run = start(version, user, django_capture_on_commit_callbacks)
    assert run.state == RunState.COMPLETE, run.error
    assert flaky.calls["submit"] == 3
    assert flaky.jobs == {str(run.pk): "job-1"} and run.external_id == "job-1"


def test_retries_exhausted_end_in_system_error_with_the_reason(
    flaky, version, user, django_capture_on_commit_callbacks
):
    flaky.failures = {"poll": 1000}
    run = start(version, user, django_capture_on_commit_callbacks)
    assert run.state == RunState.SYSTEM_ERROR
    assert OUTAGE in run.error and "TransientBackendError" in run.error
    assert flaky.calls["poll"] == ATTEMPTS
    assert len(flaky.jobs) == 1


def test_the_execute_task_backs_off_between_retries():
    assert tasks.execute_run.autoretry_for == (services.TransientBackendError,)
    assert tasks.execute_run.retry_backoff and tasks.execute_run.retry_backoff_max
    assert tasks.cancel_run.autoretry_for == (services.TransientBackendError,)
    assert tasks.cancel_run.retry_backoff and tasks.cancel_run.acks_late


# Cancel -----------------------------------------------------------------------------------


@pytest.mark.parametrize("failures", [1, 3])
def test_a_cancel_that_fails_transiently_is_retried_until_canceled(
    flaky, version, user, django_capture_on_commit_callbacks, failures
):
    run = running(version, user)
    flaky.failures = {"cancel": failures}
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_run(run)
    run.refresh_from_db()
    assert run.state == RunState.CANCELED, run.error
    assert flaky.canceled == ["job-1"]
    assert flaky.calls["cancel"] == failures + 1
    assert states(run)[-2:] == ["CANCELING", "CANCELED"]


def test_a_cancel_that_keeps_failing_ends_in_system_error_with_the_reason(
    flaky, version, user, django_capture_on_commit_callbacks
):
    run = running(version, user)
    flaky.failures = {"cancel": 1000}
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_run(run)
    run.refresh_from_db()
    assert run.state == RunState.SYSTEM_ERROR
    assert "could not cancel the job after retries" in run.error and OUTAGE in run.error
    assert flaky.calls["cancel"] == 1 + tasks.cancel_run.max_retries + 1
    assert states(run)[-2:] == ["CANCELING", "SYSTEM_ERROR"]


def test_a_cancel_refused_for_good_is_a_system_error_at_once(
    flaky, version, user, django_capture_on_commit_callbacks
):
    run = running(version, user)
    flaky.broken = {"cancel"}
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_run(run)
    run.refresh_from_db()
    assert run.state == RunState.SYSTEM_ERROR
    assert "could not cancel the job" in run.error and "bad credentials" in run.error
    assert flaky.calls["cancel"] == 1


def test_a_driver_finding_the_run_canceling_retries_a_failing_cancel(flaky, version, user):
    run = running(version, user)
    services.transition(run, RunState.CANCELING, "canceled by the user")
    flaky.failures = {"cancel": 2}
    assert tasks.execute_run.apply(args=[str(run.pk)]).get() == RunState.CANCELED
    assert flaky.calls["cancel"] == 3 and flaky.canceled == ["job-1"]


# Checks at submission --------------------------------------------------------------------


def test_an_unknown_facility_is_refused(api, version):
    body = {"version": "tiny@1.0.0", "facility": "atlantis"}
    response = api.post("/api/v1/runs/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "unknown_facility" and "atlantis" in error["message"]
    assert not Run.objects.exists()


def test_a_registered_or_configured_facility_is_accepted(api, version, settings):
    Facility.objects.create(slug="esrf", name="ESRF")
    settings.EXECUTION_BACKENDS = {"*": ["local"], "ill": ["local"]}
    for slug in ("esrf", "ill"):
        body = {"version": "tiny@1.0.0", "facility": slug}
        response = api.post("/api/v1/runs/", body, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["facility_slug"] == slug


@pytest.mark.parametrize(
    ("backend", "setting"), [("jupyterhub", "JUPYTERHUB_API_TOKEN"), ("slurm", "SLURM_JWT_TOKEN")]
)
def test_an_offered_but_unconfigured_backend_is_refused_at_submission(
    api, version, settings, backend, setting
):
    settings.EXECUTION_BACKENDS = {"*": ["local", "jupyterhub", "slurm"]}
    setattr(settings, setting, "")
    body = {"version": "tiny@1.0.0", "backend": backend}
    response = api.post("/api/v1/runs/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "backend_not_configured"
    assert setting in error["message"] and setting in error["details"]["missing_settings"]
    assert not Run.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_answers_503_and_leaves_no_run(api, version, unreachable_broker):
    response = api.post("/api/v1/runs/", {"version": "tiny@1.0.0"}, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert not Run.objects.exists() and not RunEvent.objects.exists()


# Recovery of the runs of dead workers -------------------------------------------------------


def test_recovery_frees_each_run_of_a_dead_worker_once(version, user):
    now = timezone.now()

    def make(state, expires):
        token = uuid.uuid4() if expires else None
        return Run.objects.create(
            version=version, owner=user, state=state, lease_token=token, lease_expires=expires
        )

    dead = make(RunState.RUNNING, now - timedelta(seconds=5))
    dead_canceling = make(RunState.CANCELING, now - timedelta(seconds=5))
    make(RunState.RUNNING, now + timedelta(seconds=60))  # its worker is alive
    make(RunState.COMPLETE, now - timedelta(seconds=5))  # ended
    make(RunState.RUNNING, None)  # an open interactive session nobody needs to watch
    assert set(services.recover_stale_runs()) == {dead.pk, dead_canceling.pk}
    assert services.recover_stale_runs() == []  # a second worker starting re-sends nothing
    dead.refresh_from_db()
    assert dead.lease_token is None and dead.lease_expires is None


def test_a_starting_worker_drives_the_runs_of_a_dead_one_to_the_end(flaky, version, user):
    run = running(version, user)
    flaky.polls_until_done = flaky.calls["poll answered"] + 1
    Run.objects.filter(pk=run.pk).update(
        lease_token=uuid.uuid4(), lease_expires=timezone.now() - timedelta(seconds=1)
    )
    tasks.recover_stale_runs_on_start()
    run.refresh_from_db()
    assert run.state == RunState.COMPLETE
    assert flaky.jobs == {str(run.pk): "job-1"} and run.submissions == 1
