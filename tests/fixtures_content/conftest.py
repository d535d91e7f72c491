"""Fixtures shared by the demo content tests."""

from pathlib import Path

import pytest

from datasets.examples import write_examples


@pytest.fixture(scope="session")
def examples(tmp_path_factory) -> Path:
    """Every example NeXus file, written once for the session."""
    directory = tmp_path_factory.mktemp("examples")
    write_examples(directory)
    return directory
