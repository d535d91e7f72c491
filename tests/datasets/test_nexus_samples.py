"""The extractor on every file of ../shared/nexus-samples (MANIFEST.tsv), read in place."""

import csv
import json

import pytest

from datasets.nexus import (
    DatasetSummary,
    ExtractionLimits,
    NexusError,
    check_requirements,
    extract,
    satisfies,
)
from tests.conftest import SHARED_DIR, shared_path

MANIFEST = SHARED_DIR / "nexus-samples" / "MANIFEST.tsv"


def manifest_rows() -> list[dict]:
    """Rows of MANIFEST.tsv, or one placeholder row that skips (fails under CI) when absent."""
    if not MANIFEST.exists():
        return [{"file": "MANIFEST.tsv", "kind": "missing", "definitions": ""}]
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def sample(row: dict):
    """Path of a manifest file (skips or fails the test when the shared data is missing)."""
    return shared_path(f"nexus-samples/{row['file']}")


ROWS = manifest_rows()
READABLE = [row for row in ROWS if row["kind"] != "bad-input"]
BAD = [row for row in ROWS if row["kind"] == "bad-input"]


@pytest.mark.parametrize("row", READABLE, ids=[row["file"] for row in READABLE])
def test_definitions_match_the_manifest(row):
    summary = extract(sample(row))
    expected = [name for name in row["definitions"].split(",") if name]
    assert summary.definition_names == expected
    assert summary.entries, "every sample has at least one NXentry"
    assert json.loads(json.dumps(summary.to_dict())) == summary.to_dict()
    assert DatasetSummary.from_dict(summary.to_dict()) == summary


@pytest.mark.parametrize("row", BAD, ids=[row["file"] for row in BAD])
def test_bad_input_is_refused_with_a_reason(row):
    with pytest.raises(NexusError) as refused:
        extract(sample(row))
    assert "HDF4" in refused.value.reason


def test_definition_stored_as_one_element_array():
    summary = extract(shared_path("nexus-samples/APS/NXsas/hdf5/nexus-example.hdf5"))
    assert summary.definitions == [{"name": "NXsas", "path": "/entry/definition"}]
    assert summary.source["probe"] == "x-ray"
    assert summary.title == "NeXus NXsas example"
    assert summary.default_plot["signal"] == "/entry/data/frames"
    energy = next(p for p in summary.parameters if p["name"] == "energy")
    assert energy["unit"] == "keV" and energy["si_unit"] == "J"
    assert energy["si_value"] == pytest.approx(21.0 * 1.602176634e-16, rel=1e-4)


def test_definitions_inside_subentries():
    summary = extract(shared_path("nexus-samples/DLS/reflections/hdf5/thaumatin_integrated.nxs"))
    holders = {item["path"].rsplit("/", 1)[0] for item in summary.definitions}
    assert all(summary.groups[path] == "NXsubentry" for path in holders)


def test_nx_class_stored_as_arrays():
    summary = extract(shared_path("nexus-samples/DLS/i16/hdf5/538039.nxs"))
    assert "NXentry/NXinstrument/NXdetector" in summary.class_paths()
    assert summary.detectors


def test_parameters_normalised_to_si():
    summary = extract(shared_path("nexus-samples/code/hdf5/focus2007n001335.hdf"))
    by_name = {p["name"]: p for p in summary.parameters}
    assert by_name["wavelength"]["unit"] == "Angstroem"
    assert by_name["wavelength"]["si_value"] == pytest.approx(6.0e-10, rel=1e-4)
    assert by_name["temperature"]["si_unit"] == "K"
    assert by_name["detector_distance"]["si_value"] == pytest.approx(2.5)
    assert summary.title == "vanadium at 6AA and 300K"
    assert summary.instruments == ["FOCUS at SINQ"]


def test_facility_where_stated():
    summary = extract(shared_path("nexus-samples/APS/other/hdf5/ID34_not_complete.h5"))
    assert summary.facility == "APS"
    assert summary.groups["/facility"] == "Facility"


def test_default_plot_from_old_and_new_conventions():
    old = extract(shared_path("nexus-samples/hdf5/writer_1_3.h5")).default_plot
    new = extract(shared_path("nexus-samples/hdf5/writer_1_3__niac2014.h5")).default_plot
    for plot in (old, new):
        assert plot["signal"] == "/Scan/data/counts"
        assert plot["axes"] == ["/Scan/data/two_theta"]
        assert plot["shapes"]["/Scan/data/counts"] == list(plot["shapes"]["/Scan/data/counts"])


def test_hard_link_alias_is_not_walked_twice():
    summary = extract(shared_path("nexus-samples/code/hdf5/NXtest.h5"))
    assert summary.groups["/link/sample"] == summary.groups["/link/renLinkGroup"] == "NXsample"
    assert "/entry/sample/ch_data" in summary.fields
    assert not any(
        path.startswith(("/link/sample/", "/link/renLinkGroup/")) for path in summary.fields
    )


def test_requirements_by_path_and_class_chain():
    summary = extract(shared_path("nexus-samples/APS/NXsas/hdf5/nexus-example.hdf5"))
    assert satisfies(summary, "NXdetector")
    assert satisfies(summary, "NXentry/NXinstrument/NXdetector")
    assert satisfies(summary, "NXinstrument/NXdetector")
    assert satisfies(summary, "/entry/data/frames")
    assert satisfies(summary, "/ENTRY/DATA/frames")
    assert not satisfies(summary, "NXentry/NXdetector")
    present, missing = check_requirements(summary, ["NXentry/NXdata", "NXfermi_chopper", "/nope"])
    assert present == ["NXentry/NXdata"]
    assert missing == ["NXfermi_chopper", "/nope"]


def test_checksum_on_request():
    path = shared_path("nexus-samples/hdf5/simple3D.h5")
    assert extract(path).sha256 is None
    import hashlib

    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert extract(path, ExtractionLimits(checksum=True)).sha256 == expected


# --- technique inference against the manifest, with the project's mapping and PaNET snapshot ---

PANET = "http://purl.org/pan-science/PaNET/"
INFERABLE = [row for row in ROWS if row["kind"] not in ("bad-input", "missing")] or ROWS


@pytest.fixture
def snapshot(db):
    """The PaNET snapshot and the NXDL -> technique mapping of ontologies/data."""
    from ontologies.services import load_snapshot

    load_snapshot()


def accepted_or_narrower(short_ids: list[str]) -> set[str]:
    """IRIs of the accepted terms and of every term below them (TermClosure)."""
    from ontologies.models import Term
    from ontologies.services import descendant_ids

    accepted = Term.objects.filter(iri__in=[PANET + short_id for short_id in short_ids])
    assert accepted.count() == len(short_ids), f"unknown PaNET ids among {short_ids}"
    below = descendant_ids(accepted.values_list("pk", flat=True))
    return set(Term.objects.filter(pk__in=below).values_list("iri", flat=True))


@pytest.mark.parametrize("row", INFERABLE, ids=[row["file"] for row in INFERABLE])
def test_inferred_techniques_are_accepted(snapshot, row):
    """Every technique-bearing sample names an accepted technique (or a narrower one), each
    with evidence; structural guesses rank below definitions; the others say why not."""
    from datasets.inference import STRUCTURE_CONFIDENCE, infer_techniques

    result = infer_techniques(extract(sample(row)))
    short_ids = [short_id for short_id in row["techniques"].split("|") if short_id]
    if not short_ids:
        assert result.techniques == [], result.to_dict()
        assert result.reason
        return
    right = accepted_or_narrower(short_ids)
    assert right & set(result.iris), result.to_dict()
    for technique in result.techniques:
        assert technique["evidence"], technique
        assert all(item["path"] and item["reason"] for item in technique["evidence"])
        if technique["source"] == "structure":
            assert technique["confidence"] <= STRUCTURE_CONFIDENCE
