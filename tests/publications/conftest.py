"""Fixtures of the publications tests: demo content in a temporary VAR_DIR, quick polling."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from ontologies.services import load_snapshot
from publications.demo import load_demo_publications
from registry import demo


@pytest.fixture(autouse=True)
def publication_settings(settings, tmp_path):
    """Data, runs and example files under tmp_path; the local backend offered everywhere."""
    settings.VAR_DIR = tmp_path
    settings.RUNS_DIR = tmp_path / "runs"
    (tmp_path / "data").mkdir()
    settings.NEXUS_DATA_ROOTS = [tmp_path / "data"]
    settings.EXECUTION_POLL_SECONDS = 0.2
    settings.EXECUTION_BACKENDS = {"*": ["local", "jupyterhub"]}
    return settings


def load_base() -> None:
    """What every installation has before publications: ontology, facilities."""
    load_snapshot()
    demo.load_facilities()


@pytest.fixture
def demo_content(db):
    """The demo procedures and the demo publications (with their example datasets)."""
    load_base()
    demo.load_procedures(progress=False)
    load_demo_publications()


@pytest.fixture
def scientist(db):
    """A signed-in scientist."""
    return get_user_model().objects.create_user("scientist", password="pw-sci-123")


@pytest.fixture
def api(scientist):
    """A DRF client as the scientist."""
    client = APIClient()
    client.force_authenticate(scientist)
    return client
