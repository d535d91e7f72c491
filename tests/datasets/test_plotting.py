"""The plot renderer draws only what lies inside the file it was given."""

import h5py
import numpy as np
import pytest
from rest_framework.test import APIClient

from datasets.plotting import NoPlotError, render_png
from tests.datasets import hostile
from tests.datasets.factories import DatasetFactory

# A summary naming the external fields, as an older extractor (or an import) could have stored.
EXTERNAL_PLOTS = [
    {"path": "/entry/data", "signal": "/entry/data/y", "axes": []},
    {"path": "/entry/data", "signal": "y", "axes": []},
    {"path": "/entry/data", "signal": "/entry/data/z", "axes": []},
]


@pytest.mark.parametrize("plot", EXTERNAL_PLOTS)
def test_external_links_and_external_storage_are_never_drawn(tmp_path, plot):
    path = hostile.write_external_signal(tmp_path)
    with pytest.raises(NoPlotError, match="no numeric signal"):
        render_png(path, plot)


def test_a_soft_link_inside_the_file_is_drawn_and_an_external_axis_is_not(tmp_path):
    path = hostile.write_external_signal(tmp_path)
    with h5py.File(path, "a") as file:
        file["entry/data/inside"] = np.arange(50.0)
        file["entry/data/alias"] = h5py.SoftLink("/entry/data/inside")
        file["entry/via_link"] = h5py.SoftLink("/entry/data")
    plot = {"path": "/entry/via_link", "signal": "/entry/via_link/alias", "axes": ["x"]}
    png = render_png(path, plot)
    assert png.startswith(b"\x89PNG")


def test_a_soft_link_that_crosses_an_external_link_is_not_followed(tmp_path):
    path = hostile.write_external_signal(tmp_path)
    with h5py.File(path, "a") as file:
        file["entry/outside"] = h5py.ExternalLink(str(tmp_path / "secret.h5"), "/")
        file["entry/data/sneaky"] = h5py.SoftLink("/entry/outside/data")
    with pytest.raises(NoPlotError):
        render_png(path, {"path": "/entry/data", "signal": "sneaky", "axes": []})


@pytest.mark.django_db
def test_the_plot_api_refuses_a_signal_outside_the_file(tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    path = hostile.write_external_signal(tmp_path)
    DatasetFactory(
        pid="10.5072/demo:external",
        source_path=str(path),
        summary={"default_plot": EXTERNAL_PLOTS[0]},
    )
    response = APIClient().get("/api/v1/datasets/10.5072/demo:external/plot.png")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
