"""Files named through the API must lie inside NEXUS_DATA_ROOTS after resolving symlinks."""

import numpy as np
import pytest
from rest_framework.test import APIClient

from config.api.errors import DomainError
from datasets.services import PathOutsideDataRootsError, resolve_data_path
from tests.datasets.conftest import write_nexus
from tests.datasets.factories import UserFactory


@pytest.fixture
def outside(tmp_path):
    """A NeXus file outside every data root."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return write_nexus(folder / "secret.nxs", np.arange(5))


def test_a_file_inside_a_root_resolves(data_root):
    path = write_nexus(data_root / "run.nxs", np.arange(5))
    assert resolve_data_path(str(path)) == path.resolve()
    assert resolve_data_path("run.nxs") == path.resolve()


def test_dot_dot_traversal_is_refused(data_root, outside):
    with pytest.raises(PathOutsideDataRootsError):
        resolve_data_path(str(data_root / ".." / "elsewhere" / "secret.nxs"))
    with pytest.raises(PathOutsideDataRootsError):
        resolve_data_path("../elsewhere/secret.nxs")


def test_absolute_path_outside_the_roots_is_refused(data_root, outside):
    with pytest.raises(PathOutsideDataRootsError):
        resolve_data_path(str(outside))
    with pytest.raises(PathOutsideDataRootsError):
        resolve_data_path("/etc/passwd")


def test_symlink_escaping_a_root_is_refused(data_root, outside):
    (data_root / "link.nxs").symlink_to(outside)
    (data_root / "linked-folder").symlink_to(outside.parent, target_is_directory=True)
    with pytest.raises(PathOutsideDataRootsError):
        resolve_data_path(str(data_root / "link.nxs"))
    with pytest.raises(PathOutsideDataRootsError):
        resolve_data_path(str(data_root / "linked-folder" / "secret.nxs"))


def test_missing_file_inside_a_root_is_a_clear_error(data_root):
    with pytest.raises(DomainError, match="No such file"):
        resolve_data_path("nothing-here.nxs")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../elsewhere/secret.nxs", "ABS", "link.nxs"])
def test_api_answers_400_for_paths_outside_the_roots(data_root, outside, name):
    (data_root / "link.nxs").symlink_to(outside)
    client = APIClient()
    client.force_authenticate(UserFactory())
    path = str(outside) if name == "ABS" else name
    response = client.post("/api/v1/datasets/", {"path": path}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "path_outside_data_roots"
    assert "outside the data roots" in error["message"]
