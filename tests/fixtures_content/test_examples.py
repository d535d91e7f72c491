"""The example NeXus writer and the make_example_nexus command."""

import time

import h5py
import numpy as np
import pytest
from django.core.management import CommandError, call_command

from datasets.examples import EXAMPLES, example_for, write_example, write_examples


def test_at_least_twelve_techniques_with_their_definitions():
    """Thirteen techniques, each naming its NeXus application definition."""
    assert len(EXAMPLES) >= 12
    assert {e.definition for e in EXAMPLES.values()} >= {"NXmx", "NXsas", "NXtomo", "NXxas", "NXem"}


@pytest.mark.parametrize("technique", sorted(EXAMPLES))
def test_examples_are_quick_small_and_reproducible(tmp_path, technique):
    """Written in under 0.5 s, under 2 MB, and the same signal on every run."""
    example = EXAMPLES[technique]
    (tmp_path / "a").mkdir()
    started = time.perf_counter()
    first = write_example(example, tmp_path / "a")
    assert time.perf_counter() - started < 0.5
    assert first.stat().st_size < 2 * 1024 * 1024
    (tmp_path / "b").mkdir()
    second = write_example(example, tmp_path / "b")
    with h5py.File(first) as a, h5py.File(second) as b:
        if example.definition is None:  # a deposited model: its atom table is the content
            atoms = "entry/CBF_cbf/9DMO/atom_site"
            for item in ("Cartn_x", "B_iso_or_equiv", "occupancy"):
                assert np.array_equal(a[atoms][item][()], b[atoms][item][()])
        else:
            data = a["entry/data"]
            signal = data.attrs["signal"]
            assert np.array_equal(data[signal][()], b["entry/data"][signal][()])
        assert a["entry/title"][()] and a["entry/start_time"][()]


def test_write_examples_subset_and_unknown(tmp_path):
    """Only the asked techniques are written; an unknown slug is refused."""
    paths = write_examples(tmp_path, ["saxs", "xas"])
    assert [p.name for p in paths] == ["saxs.nxs", "xas.nxs"]
    with pytest.raises(KeyError):
        write_examples(tmp_path, ["no-such-technique"])


def test_example_for_finds_the_file_of_a_procedure(tmp_path):
    """A demo procedure's techniques lead to the example of that technique."""
    assert example_for("saxs-guinier-analysis", tmp_path).name == "saxs.nxs"
    assert example_for("sans-radial-averaging", tmp_path).name == "sans.nxs"
    assert example_for("tomo-rotation-centre", tmp_path).exists()
    assert example_for("mx-spot-finding", tmp_path).name == "mx.nxs"
    assert example_for("mx-model-validation", tmp_path).name == "mx-model.nxs"
    with pytest.raises(KeyError):
        example_for("no-such-procedure", tmp_path)


def test_command_writes_files(tmp_path):
    """make_example_nexus DIR --technique writes the asked files into DIR."""
    call_command("make_example_nexus", str(tmp_path / "out"), "--technique", "mx", verbosity=0)
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["mx.nxs"]


def test_command_refuses_bad_arguments(tmp_path):
    """A file in place of DIR or an unknown technique is one clear CommandError."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(CommandError, match="not a directory"):
        call_command("make_example_nexus", str(blocker), verbosity=0)
    with pytest.raises(CommandError, match="Unknown technique"):
        call_command("make_example_nexus", str(tmp_path), "--technique", "nope", verbosity=0)
