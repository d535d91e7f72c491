"""Example writers: slit-smeared USAXS (NXcanSAS), time-of-flight SANS (NXsastof), neutron
time-of-flight Laue diffraction of a single crystal (NXlauetof) and inelastic x-ray scattering
S(Q, E) (NXsqom). Synthetic demo data written by this project."""

import h5py
import numpy as np

from .base import END_TIME, field, gaussian, group, monitor, nxdata, poisson, source

NEUTRON_ANGSTROM_M_PER_US = 3.956034e-3  # neutron wavelength (Å) = 3.956e-3 * t (µs) / L (m)


def sphere_intensity(q, radius, spread=0.15):
    """I(q) of dilute spheres with a Gaussian spread of radii (relative), unit scale."""
    radii = radius * np.linspace(1 - 2 * spread, 1 + 2 * spread, 21)
    weights = gaussian(radii, radius, spread * radius) * radii**6
    qr = np.outer(q, radii)
    form = (3 * (np.sin(qr) - qr * np.cos(qr)) / qr**3) ** 2
    return form @ weights / weights.sum()


def slit_smear(q, intensity, slit_length, points=200):
    """Slit smearing of a model: (1/l) ∫_0^l I(sqrt(q² + u²)) du (trapezoid rule)."""
    u = np.linspace(0, slit_length, points)
    smeared = np.array([np.trapezoid(intensity(np.sqrt(value**2 + u**2)), u) for value in q])
    return smeared / slit_length


def write_usaxs(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Bonse-Hart USAXS of silica spheres (R 150 nm): a slit-smeared I(Q), with the slit length
    (dQl) beside it, as a reduced NXcanSAS entry."""
    entry.attrs.update(canSAS_class="SASentry", version="1.1")
    field(entry, "run", "usaxs-0042")
    field(entry, "end_time", END_TIME)
    slit_length = 0.02  # 1/Å
    q = np.geomspace(2e-4, 0.06, 220)
    smeared = slit_smear(q, lambda x: 1e6 * sphere_intensity(x, 1500.0) + 0.05, slit_length)
    intensity = smeared * rng.normal(1.0, 0.003, q.size)
    instrument = group(entry, "instrument", "NXinstrument", canSAS_class="SASinstrument")
    field(instrument, "name", "demo Bonse-Hart USAXS")
    source(instrument, "demo synchrotron", "Synchrotron X-ray Source", "x-ray")
    field(instrument["source"], "incident_wavelength", 0.5904, "angstrom")
    collimator = group(instrument, "slit_collimator", "NXcollimator", canSAS_class="SAScollimation")
    field(collimator, "slit_length", slit_length, "1/angstrom")
    field(group(entry, "sample", "NXsample", canSAS_class="SASsample"), "name", "silica spheres")
    data = group(entry, "data", "NXdata", canSAS_class="SASdata", signal="I", I_axes="Q")
    data.attrs.update(axes=["Q"], Q_indices=0, mask="Mask")
    field(data, "Q", q, "1/angstrom", resolutions="dQl")
    field(data, "I", intensity, "1/cm", uncertainties="Idev")
    field(data, "Idev", 0.003 * intensity, "1/cm")
    field(data, "dQl", np.full(q.size, slit_length), "1/angstrom")
    field(data, "Mask", np.zeros(q.size, dtype=np.int8))


def debye(q, rg):
    """Debye function of Gaussian polymer coils of radius of gyration ``rg`` (Å)."""
    x = np.clip((q * rg) ** 2, 1e-9, None)
    return 2 * (np.exp(-x) + x - 1) / x**2


def write_tof_sans(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Polymer coils (Rg 60 Å) on a pulsed-source SANS instrument: one detector image per
    time-of-flight bin (wavelengths 2-10 Å) and the monitor spectrum of the same bins."""
    field(entry, "end_time", END_TIME)
    l1, l2, pixel, size = 14.0, 4.0, 0.008, 48
    edges = np.linspace(2.0, 10.0, 41) * (l1 + l2) / NEUTRON_ANGSTROM_M_PER_US  # µs
    wavelength = (edges[:-1] + edges[1:]) / 2 * NEUTRON_ANGSTROM_M_PER_US / (l1 + l2)
    spectrum = wavelength**-4 * np.exp(-((2.5 / wavelength) ** 2))  # moderator (Maxwellian-like)
    spectrum = 1e6 * spectrum / spectrum.max()
    centre = (size - 1) / 2 + 0.7
    x, y = np.meshgrid(np.arange(size) - centre, np.arange(size) - centre, indexing="ij")
    two_theta = np.arctan(np.hypot(x, y) * pixel / l2)
    q = 4 * np.pi * np.sin(two_theta[..., None] / 2) / wavelength
    expected = 2e-3 * spectrum * (50 * debye(q, 60.0) + 0.5)
    expected[np.hypot(x, y) < 3] = 0  # beam stop
    counts = poisson(rng, expected).astype(np.uint16)

    instrument = group(entry, "instrument", "NXinstrument")
    field(instrument, "name", "demo time-of-flight SANS")
    source(instrument, "demo spallation source", "Spallation Neutron Source", "neutron")
    field(instrument["source"], "distance", -l1, "m")
    shape = group(
        group(group(instrument, "collimator", "NXcollimator"), "geometry", "NXgeometry"),
        "shape",
        "NXshape",
    )  # fmt: skip
    field(shape, "shape", "nxcylinder")
    field(shape, "size", 8.0, "m")
    detector = group(instrument, "detector", "NXdetector")
    field(detector, "data", counts, "counts", signal=1)
    field(detector, "time_of_flight", edges, "us")
    field(detector, "distance", l2, "m")
    field(detector, "x_pixel_size", pixel, "m")
    field(detector, "y_pixel_size", pixel, "m")
    field(detector, "beam_center_x", centre * pixel, "m")
    field(detector, "beam_center_y", centre * pixel, "m")
    for name in ("polar_angle", "azimuthal_angle", "rotation_angle", "aequatorial_angle"):
        field(detector, name, 0.0, "degree")
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "deuterated polystyrene in toluene")
    field(sample, "aequatorial_angle", 0.0, "degree")
    control = monitor(entry, poisson(rng, spectrum), 1e7, name="control")
    field(control, "time_of_flight", edges, "us")
    tof_image_data(entry, detector, size, pixel)


def tof_image_data(entry: h5py.Group, detector: h5py.Group, size: int, pixel: float) -> h5py.Group:
    """The NXdata of a time-of-flight detector image: its counts and time-of-flight channels
    linked from the detector, with x and y positions (m) of its ``size`` square pixels."""
    data = nxdata(entry, "data", ["x", "y", "time_of_flight"])
    data["data"] = detector["data"]
    data["time_of_flight"] = detector["time_of_flight"]
    field(data, "x", np.arange(size) * pixel, "m")
    field(data, "y", np.arange(size) * pixel, "m")
    return data


def laue_spots(lattice, orientation, l1, distance, polar, size, pixel, wavelengths):
    """(column, row, wavelength, d) of the Bragg spots of a cubic crystal on a flat detector.

    The beam runs along +z; the detector's centre is at ``distance`` in the x-z plane at
    ``polar`` degrees, facing the sample. Spots outside the detector or the band are dropped.
    """
    normal = np.array([np.sin(np.radians(polar)), 0.0, np.cos(np.radians(polar))])
    across = np.array([np.cos(np.radians(polar)), 0.0, -np.sin(np.radians(polar))])
    up = np.array([0.0, 1.0, 0.0])
    spots = []
    for hkl in np.ndindex(13, 13, 13):
        h = np.array(hkl) - 6
        if not h.any() or len({int(v) % 2 for v in h}) > 1:  # face-centred: h, k, l unmixed
            continue
        g = orientation @ (2 * np.pi / lattice * h)
        if g[2] >= 0:
            continue
        k = -(g @ g) / (2 * g[2])  # elastic condition |k_i + g| = |k_i| with k_i = k z
        wavelength = 2 * np.pi / k
        final = g + np.array([0.0, 0.0, k])
        along = final @ normal
        if not wavelengths[0] < wavelength < wavelengths[1] or along <= 0:
            continue
        hit = final * distance / along
        column = hit @ across / pixel + (size - 1) / 2
        row = hit @ up / pixel + (size - 1) / 2
        if 2 <= column < size - 2 and 2 <= row < size - 2:
            spots.append((column, row, wavelength, 2 * np.pi / np.linalg.norm(g)))
    return spots


def write_neutron_laue(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Time-of-flight Laue pattern of a NaCl-structure crystal (a = 5.64 Å, fcc reflections) on
    a flat detector at 90°: Bragg spots at the pixel and time of flight of their wavelength."""
    l1, distance, polar, size, pixel = 20.0, 0.3, 90.0, 64, 0.005
    edges = np.linspace(2000.0, 16000.0, 101)  # µs
    angle = 0.1
    orientation = np.array(
        [[np.cos(angle), 0, np.sin(angle)], [0, 1, 0], [-np.sin(angle), 0, np.cos(angle)]]
    ) @ np.array([[1, 0, 0], [0, np.cos(0.3), -np.sin(0.3)], [0, np.sin(0.3), np.cos(0.3)]])
    column, row = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    path = l1 + np.sqrt(distance**2 + (pixel * (column - (size - 1) / 2)) ** 2
                        + (pixel * (row - (size - 1) / 2)) ** 2)  # fmt: skip
    band = (edges[0] * NEUTRON_ANGSTROM_M_PER_US / path.min() * 1.02,
            edges[-1] * NEUTRON_ANGSTROM_M_PER_US / path.max() * 0.98)  # fmt: skip
    spots = laue_spots(5.64, orientation, l1, distance, polar, size, pixel, band)
    centres = (edges[:-1] + edges[1:]) / 2
    expected = np.full((size, size, centres.size), 0.3)
    for x, y, wavelength, _d in spots:
        flight = l1 + np.sqrt(distance**2 + (pixel * (x - (size - 1) / 2)) ** 2
                              + (pixel * (y - (size - 1) / 2)) ** 2)  # fmt: skip
        tof = wavelength * flight / NEUTRON_ANGSTROM_M_PER_US
        blob = gaussian(column, x, 0.8) * gaussian(row, y, 0.8)
        expected += 400 * blob[..., None] * gaussian(centres, tof, 0.01 * tof)[None, None]
    counts = poisson(rng, expected).astype(np.uint16)

    field(entry, "pre_sample_flightpath", l1, "m")
    instrument = group(entry, "instrument", "NXinstrument")
    source(instrument, "demo spallation source", "Spallation Neutron Source", "neutron")
    detector = group(instrument, "detector", "NXdetector")
    field(detector, "data", counts, "counts", signal=1)
    field(detector, "time_of_flight", edges, "us")
    field(detector, "distance", distance, "m")
    field(detector, "polar_angle", polar, "degree")
    field(detector, "azimuthal_angle", 0.0, "degree")
    field(detector, "x_pixel_size", pixel, "m")
    field(detector, "y_pixel_size", pixel, "m")
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "NaCl single crystal")
    field(sample, "orientation_matrix", orientation)
    field(sample, "unit_cell", [5.64, 5.64, 5.64, 90.0, 90.0, 90.0])
    control = monitor(entry, poisson(rng, 1e4 * gaussian(centres, 6000.0, 3000.0)), 1e6, "control")
    field(control, "time_of_flight", edges, "us")
    data = tof_image_data(entry, detector, size, pixel)
    entry["name"] = data  # NXlauetof names its NXdata group "name"


def write_ixs(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Inelastic x-ray scattering of a longitudinal acoustic phonon branch (E_max 30 meV at the
    zone boundary, 1 1/Å) at 300 K, as an NXsqom point list: elastic line, Stokes and anti-Stokes
    peaks (detailed balance), 3 meV resolution."""
    q_values = np.linspace(0.1, 1.0, 10)
    energies = np.arange(-40.0, 60.01, 0.5)
    q, energy = (values.reshape(-1) for values in np.meshgrid(q_values, energies, indexing="ij"))
    phonon = 30.0 * np.abs(np.sin(np.pi * q / 2.0))
    population = 1 / np.expm1(phonon / 25.85)  # Bose factor at 300 K
    expected = (
        400 * gaussian(energy, 0.0, 1.3)
        + 60 * (population + 1) * gaussian(energy, phonon, 1.8) / phonon
        + 60 * population * gaussian(energy, -phonon, 1.8) / phonon
        + 1.0
    )
    counts = poisson(rng, expected)
    instrument = group(entry, "instrument", "NXinstrument")
    field(instrument, "name", "demo IXS spectrometer")
    source(instrument, "demo synchrotron", "Synchrotron X-ray Source", "x-ray")
    field(group(entry, "sample", "NXsample"), "name", "demo single crystal")
    reduction = group(entry, "reduction", "NXprocess")
    field(reduction, "program", "datasets.examples")
    field(reduction, "version", "1")
    field(group(reduction, "input", "NXparameters"), "filenames", "synthetic")
    group(reduction, "output", "NXparameters")
    data = group(entry, "data", "NXdata", signal="data")
    field(data, "data", counts, "counts", signal=1)
    field(data, "qx", q, "1/angstrom")
    field(data, "qy", np.zeros_like(q), "1/angstrom")
    field(data, "qz", np.zeros_like(q), "1/angstrom")
    field(data, "en", energy, "meV")
