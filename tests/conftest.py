"""Fixtures shared by the whole test suite."""

import os
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
