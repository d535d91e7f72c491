"""The extractor on hostile and broken files: clear NexusErrors or warnings, never a crash or hang."""

import time

import pytest

from datasets.nexus import ExtractionLimits, NexusError, extract
from tests.conftest import shared_path
from tests.datasets import hostile


def test_external_link_is_listed_not_followed(tmp_path):
    summary = extract(hostile.write_external_link(tmp_path))
    assert summary.external_links == [
        {"path": "/entry/secrets", "file": "/etc/passwd", "target": "/root"}
    ]
    assert "/entry/secrets" not in summary.groups and "/entry/secrets" not in summary.fields
    assert summary.definition_names == ["NXsas"]


def test_link_loops_end_with_warnings(tmp_path):
    summary = extract(hostile.write_link_loops(tmp_path))
    assert summary.soft_links["/entry/a"] == "/entry/b"
    assert summary.soft_links["/entry/b"] == "/entry/a"
    broken = [w for w in summary.warnings if "does not resolve" in w]
    assert len(broken) == 3
    assert summary.groups["/entry/inner/back_to_entry"] == "NXentry"
    assert not any(p.startswith("/entry/inner/back_to_entry/") for p in summary.groups)


@pytest.mark.slow
def test_two_hundred_thousand_groups_are_truncated_quickly(tmp_path):
    path = hostile.write_many_groups(tmp_path)
    started = time.monotonic()
    summary = extract(path)
    assert time.monotonic() - started < 10
    assert summary.truncated
    assert any("max_nodes" in warning for warning in summary.warnings)
    assert len(summary.groups) == ExtractionLimits().max_nodes


@pytest.mark.slow
def test_time_limit_stops_a_slow_walk(tmp_path):
    path = hostile.write_many_groups(tmp_path, count=20_000)
    with pytest.raises(NexusError, match="max_seconds"):
        extract(path, ExtractionLimits(max_seconds=0.0))


def test_ten_megabyte_attributes_are_skipped(tmp_path):
    summary = extract(hostile.write_big_attributes(tmp_path))
    skipped = [w for w in summary.warnings if "max_attribute_bytes" in w]
    assert {w.split(":")[0] for w in skipped} == {
        "/entry/huge@NX_class",
        "/entry/temperature@units",
    }
    assert summary.groups["/entry/huge"] == ""
    assert "units" not in summary.fields["/entry/temperature"]


def test_too_deep_nesting_is_refused(tmp_path):
    with pytest.raises(NexusError, match="deeper than 32"):
        extract(hostile.write_deep(tmp_path))


def test_truncated_copy_of_a_real_file(tmp_path):
    source = shared_path("nexus-samples/code/hdf5/focus2007n001335.hdf")
    with pytest.raises(NexusError, match="truncated"):
        extract(hostile.write_truncated_copy(source, tmp_path))


@pytest.mark.parametrize(
    ("writer", "reason"),
    [
        (hostile.write_empty, "empty file"),
        (hostile.write_text, "text file"),
    ],
)
def test_not_hdf5_is_refused_with_a_reason(tmp_path, writer, reason):
    with pytest.raises(NexusError, match=reason):
        extract(writer(tmp_path))


def test_missing_file(tmp_path):
    with pytest.raises(NexusError, match="no such file"):
        extract(tmp_path / "absent.nxs")


def test_plain_hdf5_without_nx_class(tmp_path):
    summary = extract(hostile.write_plain_hdf5(tmp_path))
    assert summary.entries == [] and summary.definitions == []
    assert summary.fields["/measurement/values"] == {"shape": [10], "dtype": "int64"}
    assert any("no NX_class" in warning for warning in summary.warnings)


def test_odd_definition_types_warn(tmp_path):
    summary = extract(hostile.write_odd_definitions(tmp_path))
    assert summary.definition_names == ["NXtomo"]
    odd = [w for w in summary.warnings if "definition is not a short string" in w]
    assert sorted(w.split(":")[0] for w in odd) == ["/as_floats/definition", "/as_int/definition"]


def test_long_strings_are_cut(tmp_path):
    summary = extract(hostile.write_external_link(tmp_path), ExtractionLimits(max_string_length=3))
    assert summary.definition_names == ["NXs"]
    assert any("string cut" in warning for warning in summary.warnings)
