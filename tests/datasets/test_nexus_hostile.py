"""The extractor on hostile and broken files: clear NexusErrors or warnings, never a crash or hang."""

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
@pytest.mark.timeout(120)  # a hang guard, not a speed target (those are in bench/)
def test_two_hundred_thousand_groups_are_truncated(tmp_path):
    path = hostile.write_many_groups(tmp_path)
    summary = extract(path)
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


def test_external_signal_and_storage_are_neither_plotted_nor_read(tmp_path):
    summary = extract(hostile.write_external_signal(tmp_path))
    assert {link["path"] for link in summary.external_links} == {"/entry/data/x", "/entry/data/y"}
    assert summary.default_plot is None
    assert summary.title is None
    assert any("/entry/title: value stored in another file" in w for w in summary.warnings)


def test_variable_length_attribute_over_the_limit_is_skipped(tmp_path):
    summary = extract(hostile.write_vlen_attribute(tmp_path))
    skipped = [w for w in summary.warnings if "max_attribute_bytes" in w]
    assert [w.split(":")[0] for w in skipped] == ["/entry/huge@NX_class"]
    assert summary.groups["/entry/huge"] == ""


@pytest.mark.timeout(60)  # unguarded, pint would compute 9**9**9 for ever
def test_costly_units_are_not_given_to_pint(tmp_path):
    path = hostile.write_costly_units(tmp_path)
    summary = extract(path)
    by_name = {p["name"]: p for p in summary.parameters}
    assert by_name["temperature"]["si_value"] is None
    assert by_name["pressure"] == {**by_name["pressure"], "unit": "m**9**9**9", "si_value": None}
    assert by_name["magnetic_field"]["unit"] is None  # the 2 MB attribute was skipped
    assert len(summary.fields["/entry/sample/temperature"]["units"]) == 4096


def test_time_limit_covers_reading_the_meaning_too(tmp_path):
    # Too few nodes for the walk to look at the clock: the parameters step must.
    path = hostile.write_costly_units(tmp_path, size=10)
    with pytest.raises(NexusError, match="max_seconds"):
        extract(path, ExtractionLimits(max_seconds=0.0))


def test_a_bug_is_not_reported_as_a_damaged_file(tmp_path, monkeypatch):
    from datasets.nexus import walker

    def broken(*args):
        raise TypeError("a bug of ours")

    monkeypatch.setattr(walker, "_dtype_name", broken)
    with pytest.raises(TypeError, match="a bug of ours"):
        extract(hostile.write_plain_hdf5(tmp_path))
