"""The extractor on files the tests write: field types and links a valid file may hold."""

import h5py
import numpy as np

from datasets.nexus import extract
from tests.datasets.conftest import write_nexus


def test_an_enumerated_field_is_described_not_refused(tmp_path):
    summary = extract(write_nexus(tmp_path / "enum.nxs", np.arange(5.0)))
    assert summary.fields["/entry/instrument/shutter_state"] == {"shape": [], "dtype": "enum[int8]"}
    assert summary.definition_names == ["NXsas"]


def test_a_soft_link_to_a_group_is_resolved(tmp_path):
    path = tmp_path / "linked.nxs"
    with h5py.File(path, "w") as file:
        entry = file.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry.attrs["default"] = "data"
        detector = entry.create_group("instrument").create_group("detector")
        detector.attrs["NX_class"] = "NXdata"
        detector.attrs["signal"] = "counts"
        detector["counts"] = np.arange(7.0)
        entry["data"] = h5py.SoftLink("/entry/instrument/detector")
    summary = extract(path)
    assert summary.soft_links == {"/entry/data": "/entry/instrument/detector"}
    assert summary.default_plot["path"] == "/entry/data"
    assert summary.default_plot["signal"] == "/entry/data/counts"
    assert summary.default_plot["shapes"] == {"/entry/data/counts": [7]}
    assert not any("does not resolve" in warning for warning in summary.warnings)
