"""Fixtures of the datasets tests: a data root, a small technique hierarchy, NeXus files."""

import h5py
import numpy as np
import pytest

from ontologies.services import rebuild_closure
from tests.datasets.factories import TermFactory

PANET = "http://purl.org/pan-science/PaNET/"


@pytest.fixture
def data_root(tmp_path, settings):
    """A fresh data root (the only one) and a VAR_DIR/MEDIA_ROOT inside tmp_path."""
    root = tmp_path / "data"
    root.mkdir()
    settings.NEXUS_DATA_ROOTS = [root]
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "media"
    return root


@pytest.fixture
def hierarchy(db):
    """scattering > small angle scattering > {SAXS, SANS}; magnetism technique > magnetic SANS."""
    scattering = TermFactory(iri=PANET + "T0001", label="scattering")
    sas = TermFactory(iri=PANET + "T0002", label="small angle scattering", synonyms=["SAS"])
    saxs = TermFactory(iri=PANET + "T0003", label="small angle x-ray scattering", synonyms=["SAXS"])
    sans = TermFactory(iri=PANET + "T0004", label="small angle neutron scattering")
    magnetism = TermFactory(iri=PANET + "T0005", label="magnetism technique")
    msans = TermFactory(iri=PANET + "T0006", label="magnetic small angle neutron scattering")
    xas = TermFactory(iri=PANET + "T0007", label="x-ray absorption")
    sas.parents.add(scattering)
    saxs.parents.add(sas)
    sans.parents.add(sas)
    msans.parents.add(sans, magnetism)
    for term in (scattering, sas, saxs, sans, magnetism, msans, xas):
        term.save()  # refresh search_text after synonyms
    rebuild_closure()
    return {
        "scattering": scattering,
        "sas": sas,
        "saxs": saxs,
        "sans": sans,
        "magnetism": magnetism,
        "msans": msans,
        "xas": xas,
    }


def write_nexus(path, signal, title="Test run", wavelength_nm=None):
    """Write a small NeXus file whose default NXdata plots ``signal`` (1D or 2D), with an
    enumerated field (``/entry/instrument/shutter_state``)."""
    with h5py.File(path, "w") as handle:
        handle.attrs["default"] = "entry"
        entry = handle.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry.attrs["default"] = "data"
        entry["title"] = title
        entry["definition"] = "NXsas"
        instrument = entry.create_group("instrument")
        instrument.attrs["NX_class"] = "NXinstrument"
        instrument["name"] = "TEST-BL"
        # An enumerated field, as beamline control systems write shutter states.
        shutter = h5py.enum_dtype({"CLOSED": 0, "OPEN": 1}, basetype="i1")
        instrument.create_dataset("shutter_state", data=np.int8(1), dtype=shutter)
        if wavelength_nm is not None:
            mono = instrument.create_group("monochromator")
            mono.attrs["NX_class"] = "NXmonochromator"
            mono["wavelength"] = float(wavelength_nm)
            mono["wavelength"].attrs["units"] = "nm"
        data = entry.create_group("data")
        data.attrs["NX_class"] = "NXdata"
        data.attrs["signal"] = "counts"
        data["counts"] = np.asarray(signal)
        if np.asarray(signal).ndim == 1:
            data.attrs["axes"] = ["x"]
            data["x"] = np.linspace(0, 1, len(signal))
    return path
