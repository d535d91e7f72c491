"""Technique inference: definitions through the database mapping, then structural rules."""

import csv

import h5py
import numpy as np
import pytest

from datasets.inference import STRUCTURE_CONFIDENCE, infer_techniques, mapped_techniques
from datasets.nexus import extract
from ontologies.models import NexusDefinitionMapping, Term
from tests.conftest import shared_path
from tests.datasets.test_nexus_samples import ROWS, sample

PANET = "http://purl.org/pan-science/PaNET/"
# The mapping rows these tests store: NXDL name -> PaNET short id (chosen from PaNET labels).
TEST_MAPPING = {
    "NXsas": "PaNET01188", "NXcanSAS": "PaNET01124", "NXiqproc": "PaNET01124",
    "NXsastof": "PaNET01277", "NXmx": "PaNET01164", "NXstxm": "PaNET01219",
    "NXarpes": "PaNET01089", "NXtofraw": "PaNET01001", "NXfluo": "PaNET01095",
    "NXlauetof": "PaNET01236", "NXtofsingle": "PaNET01236", "NXmonopd": "PaNET01030",
    "NXtofnpd": "PaNET01100", "NXrefscan": "PaNET01121", "NXreftof": "PaNET01239",
    "NXspe": "PaNET01245", "NXtas": "PaNET01245", "NXsqom": "PaNET01034",
    "NXtomo": "PaNET01129", "NXtomophase": "PaNET01129", "NXtomoproc": "PaNET01129",
    "NXxas": "PaNET01196", "NXxasproc": "PaNET01196", "NXxbase": "PaNET01216",
}  # fmt: skip
READABLE = [row for row in ROWS if row["kind"] not in ("bad-input", "missing")]


def panet_labels() -> dict[str, str]:
    """Short id -> label, read in place from ../shared/ontologies/PaNET-terms.tsv."""
    with shared_path("ontologies/PaNET-terms.tsv").open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row["label"] for row in csv.DictReader(handle, delimiter="\t")}


@pytest.fixture
def mapping(db):
    """NexusDefinitionMapping rows for TEST_MAPPING, with real PaNET IRIs and labels."""
    labels = panet_labels()
    for definition, short_id in TEST_MAPPING.items():
        term, _ = Term.objects.get_or_create(
            iri=PANET + short_id, defaults={"label": labels[short_id]}
        )
        NexusDefinitionMapping.objects.create(definition=definition, term=term, confidence=0.9)


@pytest.mark.django_db
@pytest.mark.parametrize("row", READABLE, ids=[row["file"] for row in READABLE])
def test_inference_on_every_sample(mapping, row):
    result = infer_techniques(extract(sample(row)))
    accepted = {PANET + short_id for short_id in row["techniques"].split("|") if short_id}
    if not accepted:
        assert result.techniques == [] and result.reason
        return
    if any(name in TEST_MAPPING for name in row["definitions"].split(",")):
        assert accepted & set(result.iris), result.to_dict()
        assert result.techniques[0]["source"] == "definition"
    elif result.techniques:  # no mapped definition: a structural guess must still be right
        assert accepted & set(result.iris), result.to_dict()
    else:
        assert result.reason


@pytest.mark.django_db
def test_mapped_techniques_reads_the_database(mapping):
    assert mapped_techniques("NXsas") == [
        {
            "iri": PANET + "PaNET01188",
            "label": "small angle x-ray scattering",
            "confidence": 0.9,
            "probes": [],  # the fixture stores no hierarchy: no probe branch known
        }
    ]
    assert mapped_techniques("NXnothing") == []


def test_definition_lookup_is_injectable():
    summary = extract(shared_path("nexus-samples/APS/NXsas/hdf5/nexus-example.hdf5"))
    result = infer_techniques(
        summary, lookup=lambda name: [{"iri": "urn:x", "label": "test", "confidence": 1.0}]
    )
    assert result.iris == ["urn:x"]
    assert result.techniques[0]["evidence"] == [
        {"path": "/entry/definition", "reason": "application definition NXsas maps to test"}
    ]


def _write(path, probe, build):
    with h5py.File(path, "w") as file:
        entry = file.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        instrument = entry.create_group("instrument")
        instrument.attrs["NX_class"] = "NXinstrument"
        source = instrument.create_group("source")
        source.attrs["NX_class"] = "NXsource"
        source["probe"] = probe
        build(entry, instrument)
    return path


def _small_angle(entry, instrument):
    instrument.create_group("collimator").attrs["NX_class"] = "NXcollimator"
    detector = instrument.create_group("detector")
    detector.attrs["NX_class"] = "NXdetector"
    detector["beam_center_x"] = 12.0


@pytest.mark.parametrize(
    ("probe", "short_id"), [("neutron", "PaNET01189"), ("x-ray", "PaNET01188")]
)
def test_probe_separates_sans_from_saxs(tmp_path, probe, short_id):
    path = _write(tmp_path / "sas.nxs", probe, _small_angle)
    result = infer_techniques(extract(path), lookup=lambda name: [])
    assert result.iris == [PANET + short_id]
    technique = result.techniques[0]
    assert technique["source"] == "structure"
    assert technique["confidence"] <= STRUCTURE_CONFIDENCE
    assert {e["path"] for e in technique["evidence"]} >= {"/entry/instrument/collimator"}


def test_rotation_angle_and_image_key_mean_tomography(tmp_path):
    def build(entry, instrument):
        data = entry.create_group("data")
        data.attrs["NX_class"] = "NXdata"
        data["rotation_angle"] = [0.0, 0.5, 1.0]
        data["image_key"] = [2, 1, 0]

    result = infer_techniques(extract(_write(tmp_path / "t.nxs", "x-ray", build)), lambda n: [])
    assert result.iris == [PANET + "PaNET01207"]


def test_fermi_chopper_means_neutron_spectroscopy(tmp_path):
    def build(entry, instrument):
        instrument.create_group("chopper").attrs["NX_class"] = "NXfermi_chopper"

    result = infer_techniques(extract(_write(tmp_path / "c.nxs", "neutron", build)), lambda n: [])
    assert result.iris == [PANET + "PaNET01245"]
    assert result.techniques[0]["evidence"][0]["path"] == "/entry/instrument/chopper"


def test_unknown_gives_a_reason_not_a_guess(tmp_path):
    result = infer_techniques(extract(_write(tmp_path / "u.nxs", "x-ray", lambda e, i: None)))
    assert result.techniques == []
    assert "no structural rule matched" in result.reason


def _infer(tmp_path, build, probe="x-ray", name="f.nxs", source_type=None):
    """Structural inference only (no definition maps) on a small file made by ``build``."""

    def with_type(entry, instrument):
        if source_type:
            instrument["source"]["type"] = source_type
        if probe is None:
            del instrument["source"]["probe"]
        build(entry, instrument)

    path = _write(tmp_path / name, probe or "x-ray", with_type)
    result = infer_techniques(extract(path), lookup=lambda name: [])
    assert all(t["confidence"] <= STRUCTURE_CONFIDENCE and t["evidence"] for t in result.techniques)
    return result


def test_time_of_flight_bins_with_a_fermi_chopper_mean_tof_spectrometry(tmp_path):
    """Probe from the source type (spallation), TOF bins in a detector, a Fermi chopper."""

    def build(entry, instrument):
        chopper = instrument.create_group("fermi")
        chopper.attrs["NX_class"] = "NXchopper"
        detector = instrument.create_group("bank")
        detector.attrs["NX_class"] = "NXdetector"
        detector["time_of_flight"] = [1000.0, 1010.0, 1020.0]

    result = _infer(tmp_path, build, probe=None, source_type="Pulsed spallation source")
    assert {PANET + "PaNET01001", PANET + "PaNET01244", PANET + "PaNET01245"} <= set(result.iris)
    reasons = {e["reason"] for t in result.techniques for e in t["evidence"]}
    assert "source type 'Pulsed spallation source' delivers neutrons" in reasons


def test_time_of_flight_needs_neutrons(tmp_path):
    def build(entry, instrument):
        detector = instrument.create_group("bank")
        detector.attrs["NX_class"] = "NXdetector"
        detector["time_of_flight"] = [1000.0, 1010.0]

    assert _infer(tmp_path, build, probe="x-ray").techniques == []


def test_scanned_monochromator_energy_means_xas(tmp_path):
    def build(entry, instrument):
        mono = instrument.create_group("monochromator")
        mono.attrs["NX_class"] = "NXmonochromator"
        mono["energy"] = np.linspace(8.9, 9.1, 50)

    result = _infer(tmp_path, build)
    assert result.iris == [PANET + "PaNET01196"]
    assert result.techniques[0]["evidence"][0]["path"] == "/entry/instrument/monochromator/energy"


def test_analyser_crystal_means_inelastic_scattering(tmp_path):
    def build(entry, instrument):
        for name in ("monochromator", "analyser"):
            instrument.create_group(name).attrs["NX_class"] = "NXcrystal"
        instrument["monochromator"].attrs["NX_class"] = "NXmonochromator"

    assert _infer(tmp_path, build, probe="neutron").iris == [PANET + "PaNET01245"]
    assert _infer(tmp_path, build, name="x.nxs").iris == [PANET + "PaNET01182"]


@pytest.mark.parametrize(
    ("instrument_name", "expected"),
    [
        ("microDiffraction", {"PaNET01216", "PaNET01271"}),
        ("DIFFABS", {"PaNET01216", "PaNET01196"}),
        ("laue_station", {"PaNET01216", "PaNET01102"}),
        ("FOCUS", set()),
        ("absolute", set()),
    ],
)
def test_instrument_named_for_its_technique(tmp_path, instrument_name, expected):
    def build(entry, instrument):
        entry.move("instrument", instrument_name)

    result = _infer(tmp_path, build)
    assert {iri.rsplit("/", 1)[-1] for iri in result.iris} == expected
    for technique in result.techniques:
        assert technique["confidence"] < 0.4
        assert technique["evidence"][0]["path"] == f"/entry/{instrument_name}"


def test_instrument_names_only_count_for_x_rays_or_unknown_probes(tmp_path):
    def build(entry, instrument):
        entry.move("instrument", "DIFFABS")

    assert _infer(tmp_path, build, probe="neutron").techniques == []
    assert _infer(tmp_path, build, probe=None, name="n.nxs").iris == [PANET + "PaNET01022"]


@pytest.fixture
def panet(db):
    """The project's PaNET snapshot (with its closure) and its definition mapping."""
    from ontologies.services import load_snapshot

    load_snapshot()


@pytest.mark.parametrize(
    ("probe", "kept", "set_aside"),
    [("neutron", "PaNET01189", "PaNET01188"), ("x-ray", "PaNET01188", "PaNET01189")],
)
def test_a_mapped_definition_keeps_only_the_probes_techniques(
    panet, tmp_path, probe, kept, set_aside
):
    def sas(entry, instrument):
        entry["definition"] = "NXsas"
        _small_angle(entry, instrument)

    result = infer_techniques(extract(_write(tmp_path / "sas.nxs", probe, sas)))
    assert PANET + set_aside not in result.iris
    assert set(result.iris) == {PANET + "PaNET01124", PANET + kept}
    narrow = next(t for t in result.techniques if t["iri"] == PANET + kept)
    assert narrow["source"] == "definition"
    assert {
        "path": "/entry/instrument/source/probe",
        "reason": f"source probe {probe} agrees",
    } in narrow["evidence"]
    general = next(t for t in result.techniques if t["iri"] == PANET + "PaNET01124")
    assert [e["path"] for e in general["evidence"]] == ["/entry/definition"]


def test_the_neutron_sans_example_is_not_called_saxs(panet, tmp_path):
    from datasets.examples import write_examples

    (path,) = write_examples(tmp_path, ["sans"])
    iris = infer_techniques(extract(path)).iris
    assert PANET + "PaNET01189" in iris and PANET + "PaNET01188" not in iris


def test_without_a_probe_every_mapped_technique_stays(panet, tmp_path):
    def sas(entry, instrument):
        entry["definition"] = "NXsas"
        del instrument["source/probe"]

    result = infer_techniques(extract(_write(tmp_path / "sas.nxs", "x-ray", sas)))
    assert {PANET + "PaNET01188", PANET + "PaNET01189", PANET + "PaNET01124"} <= set(result.iris)


def test_a_probe_never_vetoes_a_definition_of_one_probe(panet, tmp_path):
    # Generated files often carry the first enumerated probe (neutron) whatever they hold.
    def stxm(entry, instrument):
        entry["definition"] = "NXstxm"

    result = infer_techniques(extract(_write(tmp_path / "stxm.nxs", "neutron", stxm)))
    assert PANET + "PaNET01219" in result.iris
    assert result.techniques[0]["source"] == "definition"
