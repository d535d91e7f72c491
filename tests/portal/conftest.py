"""Fixtures of the portal tests: the demo content (loaded once per module), users, a dataset."""

from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from datasets.examples import EXAMPLES, write_examples
from datasets.services import register_dataset
from ontologies.services import load_snapshot
from registry import demo
from registry.models import Facility

PASSWORD = "portal-test-password"
SAXS = "http://purl.org/pan-science/PaNET/PaNET01188"
SAXS_DATASET = "10.5072/test:saxs"


@contextmanager
def demo_content_for_module(django_db_blocker, folder, dataset_pid: str):
    """The ontology snapshot, facilities, demo procedures and the SAXS example dataset (written
    into ``folder``, registered as ``dataset_pid``), inside a transaction rolled back on exit, so
    that tests elsewhere start from an empty database (each test runs in a savepoint inside it).
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load_snapshot()
            demo.load_facilities()
            demo.load_procedures(progress=False)
            write_examples(folder, ["saxs"])
            register_dataset(folder / EXAMPLES["saxs"].file_name, pid=dataset_pid)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module", autouse=True)
def portal_content(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo content for one portal test module (see :func:`demo_content_for_module`)."""
    folder = tmp_path_factory.mktemp("portal-data")
    with demo_content_for_module(django_db_blocker, folder, SAXS_DATASET):
        yield folder


def make_user(username: str, facilities=(), staff: bool = False):
    """A user with a known password, curating ``facilities`` (slugs)."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=staff)
    user.curated_facilities.add(*Facility.objects.filter(slug__in=facilities))
    return user


@pytest.fixture
def scientist(db):
    """A logged-out-able user who curates nothing."""
    return make_user("scientist")


@pytest.fixture
def curator(db):
    """A curator of ESRF."""
    return make_user("curator", ["esrf"])


@pytest.fixture
def data_roots(settings, portal_content):
    """Let runs read the example files written for the module."""
    settings.NEXUS_DATA_ROOTS = [*settings.NEXUS_DATA_ROOTS, portal_content]
    return settings
