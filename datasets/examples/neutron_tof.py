"""Example writer: raw neutron time-of-flight spectra of a direct-geometry spectrometer (NXtofraw)."""

import h5py
import numpy as np

from .base import field, gaussian, group, nxdata, poisson, source

NEUTRON_MASS = 1.67492749804e-27  # kg
MEV = 1.602176634e-22  # J per meV


def neutron_speed(energy_mev):
    """Speed (m/s) of a neutron of kinetic energy ``energy_mev``."""
    return np.sqrt(2 * np.asarray(energy_mev) * MEV / NEUTRON_MASS)


def write_neutron_tof(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Vanadium seen by a Fermi-chopper spectrometer (Ei 25 meV): an incoherent elastic line
    and a weak quasi-elastic wing in every detector, plus a time-independent background."""
    ei, l1, l2, n_det = 25.0, 10.0, 2.5, 32
    edges = np.linspace(4500.0, 9000.0, 451)  # µs
    centres = (edges[:-1] + edges[1:]) / 2
    polar = np.linspace(10.0, 130.0, n_det)
    t_sample = l1 / neutron_speed(ei) * 1e6
    final = 0.5 * NEUTRON_MASS * (l2 / ((centres - t_sample) * 1e-6)) ** 2 / MEV
    transfer = ei - final
    form = np.exp(-0.0005 * polar**2 / 100)[:, None]  # Debye-Waller-like fall with angle
    expected = form * (600 * gaussian(transfer, 0.0, 0.45) + 30 * gaussian(transfer, 0.0, 2.5))
    counts = poisson(rng, expected + 4.0)

    field(entry, "duration", 3600.0, "s")
    field(entry, "run_number", 1335)
    field(entry, "pre_sample_flightpath", l1, "m")
    field(group(entry, "user", "NXuser"), "name", "Demo User")
    instrument = group(entry, "instrument", "NXinstrument")
    field(instrument, "name", "demo time-of-flight spectrometer")
    source(instrument, "demo spallation source", "Spallation Neutron Source", "neutron")
    chopper = group(instrument, "fermi_chopper", "NXfermi_chopper")
    field(chopper, "energy", ei, "meV")
    field(chopper, "distance", -0.5, "m")
    field(chopper, "rotational_frequency", 300.0, "Hz")
    detector = group(instrument, "detector", "NXdetector")
    field(detector, "data", counts, "counts", signal=1)
    field(detector, "detector_number", np.arange(1, n_det + 1, dtype=np.int32))
    field(detector, "distance", np.full(n_det, l2), "m")
    field(detector, "time_of_flight", edges, "us")
    field(detector, "polar_angle", polar, "degree")
    field(detector, "azimuthal_angle", np.zeros(n_det), "degree")
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "vanadium")
    field(sample, "nature", "powder")
    field(sample, "temperature", 300.0, "K")
    monitor = group(entry, "monitor", "NXmonitor")
    field(monitor, "mode", "timer")
    field(monitor, "preset", 3600.0)
    field(monitor, "distance", -1.0, "m")
    spectrum = poisson(rng, 5000 * gaussian(centres, (l1 - 1.0) / neutron_speed(ei) * 1e6, 15.0))
    field(monitor, "data", spectrum, "counts", signal=1)
    field(monitor, "time_of_flight", edges, "us")
    field(monitor, "integral_counts", int(spectrum.sum()))
    data = nxdata(entry, "data", ["detector_number", "time_of_flight"])
    for name in ("data", "detector_number", "time_of_flight"):
        data[name] = h5py.SoftLink(f"/entry/instrument/detector/{name}")
