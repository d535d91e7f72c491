"""Fixtures of the ontologies tests."""

from pathlib import Path

import pytest
from django.core.management import call_command

from ontologies import services

DATA = Path(__file__).resolve().parent / "data"
EX = "http://example.org/tech/"


@pytest.fixture
def data_dir() -> Path:
    """Folder of the hand-written test ontologies."""
    return DATA


@pytest.fixture
def small(db):
    """The small Turtle ontology imported under the name ``test``."""
    call_command("import_ontology", str(DATA / "small.ttl"), "--name", "test", verbosity=0)


@pytest.fixture
def panet(db):
    """The shipped PaNET snapshot and NeXus mapping, loaded as a fresh install would."""
    return services.load_snapshot()
