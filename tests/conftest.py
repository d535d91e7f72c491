"""Fixtures shared by the whole test suite."""

import os
import socket
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("SHARED_DIR", PROJECT_DIR.parent / "shared"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip the calling test when ``condition`` is false, except under CI=true, where it fails:
    in CI a missing server or missing shared data is a broken install step, never a skip."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def shared_path(relative: str) -> Path:
    """Path of ``relative`` inside ../shared, skipping (or failing under CI) when missing."""
    path = SHARED_DIR / relative
    require(path.exists(), f"shared data missing: {path} (the ../shared folder beside the project)")
    return path


@pytest.fixture
def shared_dir() -> Path:
    """The ../shared folder with NeXus samples, NXDL definitions and PaNET."""
    return shared_path("")


@pytest.fixture(autouse=True)
def keep_test_transaction_open(monkeypatch):
    """Requests served through the raw WSGI handler (schemathesis, gunicorn-like calls) end with
    ``close_old_connections``, which drops a connection whose autocommit differs from its
    setting, as it does inside the test's transaction. That ends the transaction: later writes
    then commit for good and leak into other tests (and on PostgreSQL later queries fail).
    Django's test client avoids this by disconnecting the signal; keep such connections open
    whichever way the request came in."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    close_if_unusable = BaseDatabaseWrapper.close_if_unusable_or_obsolete

    def close_unless_in_test_transaction(self) -> None:
        if not self.in_atomic_block:
            close_if_unusable(self)

    monkeypatch.setattr(
        BaseDatabaseWrapper, "close_if_unusable_or_obsolete", close_unless_in_test_transaction
    )


@pytest.fixture
def unreachable_broker():
    """This process's Celery app sending to a loopback port nothing listens on."""
    from config.celery import app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    keys = ("broker_url", "task_always_eager", "broker_connection_timeout")
    saved = {k: app.conf[k] for k in (*keys, "broker_connection_max_retries")}
    app.conf.update(broker_url=f"redis://127.0.0.1:{port}/0", task_always_eager=False,
                    broker_connection_timeout=1, broker_connection_max_retries=1)  # fmt: skip
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.update(saved)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def terms(db):
    """SAS ⊃ {SAXS, SANS}."""
    from tests.registry.factories import small_hierarchy

    return small_hierarchy()


@pytest.fixture
def facilities(db):
    """Two facilities: esrf and ill."""
    from tests.registry.factories import FacilityFactory

    return {
        "esrf": FacilityFactory(slug="esrf", name="ESRF"),
        "ill": FacilityFactory(slug="ill", name="ILL"),
    }


@pytest.fixture
def users(db, facilities):
    """anonymous (None), a plain user, ESRF's curator, ILL's curator, staff."""
    from tests.registry.factories import UserFactory

    esrf_curator = UserFactory(username="esrf-curator")
    facilities["esrf"].curators.add(esrf_curator)
    ill_curator = UserFactory(username="ill-curator")
    facilities["ill"].curators.add(ill_curator)
    return {
        "anonymous": None,
        "user": UserFactory(username="someone"),
        "own_curator": esrf_curator,
        "other_curator": ill_curator,
        "staff": UserFactory(username="staff", is_staff=True),
    }
