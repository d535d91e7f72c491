"""Writers of the first thirteen example techniques (one function per technique)."""

import h5py
import numpy as np

from .base import END_TIME, field, gaussian, group, monitor, nxdata, poisson, source

# --- macromolecular crystallography (NXmx) -------------------------------------------------


def write_mx(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Five rotation images of a protein crystal: Bragg spots on air-scatter background."""
    field(entry, "end_time_estimated", END_TIME)
    n_images, size, pixel_mm, distance_mm, wavelength = 5, 128, 0.688, 120.0, 0.9763
    centre = (64.5, 63.2)
    yy, xx = np.mgrid[0:size, 0:size]
    radius = np.hypot(xx - centre[0], yy - centre[1])
    images = np.empty((n_images, size, size), dtype=np.uint16)
    for index in range(n_images):
        expected = 20.0 + 30.0 * np.exp(-radius / 40.0)
        for _ in range(45):
            x, y = rng.uniform(6, size - 6, size=2)
            s = np.hypot(x - centre[0], y - centre[1]) * pixel_mm / distance_mm / wavelength
            height = rng.exponential(900.0) * np.exp(-25.0 * s**2) + 60.0
            expected = expected + height * gaussian(xx, x, 0.9) * gaussian(yy, y, 0.9)
        images[index] = np.minimum(rng.poisson(expected), 65535)
    omega = np.arange(n_images) * 0.2

    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "hen egg-white lysozyme")
    field(sample, "depends_on", "/entry/sample/transformations/omega")
    transformations = group(sample, "transformations", "NXtransformations")
    field(transformations, "omega", omega, "degree", transformation_type="rotation",
          vector=[-1.0, 0.0, 0.0], depends_on=".")  # fmt: skip
    entry_source = source(
        entry, "European Synchrotron Radiation Facility", "Synchrotron X-ray Source", "x-ray"
    )

    instrument = group(entry, "instrument", "NXinstrument")
    field(instrument, "name", "demo MX beamline")
    instrument["source"] = entry_source
    beam = group(instrument, "beam", "NXbeam")
    field(beam, "incident_wavelength", wavelength, "angstrom")
    detector = group(instrument, "detector", "NXdetector")
    field(detector, "data", images, "counts")
    field(detector, "distance", distance_mm, "mm")
    field(detector, "x_pixel_size", pixel_mm, "mm")
    field(detector, "y_pixel_size", pixel_mm, "mm")
    field(detector, "beam_center_x", centre[0] * pixel_mm, "mm")
    field(detector, "beam_center_y", centre[1] * pixel_mm, "mm")
    field(detector, "sensor_material", "Si")
    field(detector, "sensor_thickness", 0.45, "mm")
    field(detector, "depends_on", "/entry/instrument/detector/transformations/det_z")
    det_transformations = group(detector, "transformations", "NXtransformations")
    field(det_transformations, "det_z", distance_mm, "mm", transformation_type="translation",
          vector=[0.0, 0.0, 1.0], depends_on=".")  # fmt: skip
    module = group(detector, "module", "NXdetector_module")
    field(module, "data_origin", np.array([0, 0], dtype=np.int32))
    field(module, "data_size", np.array([size, size], dtype=np.int32))
    for name, vector in (
        ("fast_pixel_direction", [-1.0, 0, 0]),
        ("slow_pixel_direction", [0, -1.0, 0]),
    ):
        field(module, name, pixel_mm, "mm", transformation_type="translation", vector=vector,
              offset=[0.0, 0.0, 0.0], depends_on="/entry/instrument/detector/transformations/det_z")  # fmt: skip

    data = nxdata(entry, "data", ["omega", ".", "."])
    data.attrs["omega_indices"] = 0
    data["data"] = detector["data"]
    data["omega"] = transformations["omega"]


# --- powder diffraction (NXmonopd) ----------------------------------------------------------


def write_powder(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Constant-wavelength neutron powder pattern of silicon (diamond structure)."""
    wavelength, lattice = 1.594, 5.431
    two_theta = np.linspace(10.0, 150.0, 1401)
    expected = 120.0 + 0.2 * two_theta
    for h, k, l in _diamond_reflections(8):  # noqa: E741
        d = lattice / np.sqrt(h * h + k * k + l * l)
        if wavelength / (2 * d) >= 1:
            continue
        position = 2 * np.degrees(np.arcsin(wavelength / (2 * d)))
        multiplicity = len({tuple(p) for p in _permutations_with_signs((h, k, l))})
        tan = np.tan(np.radians(position / 2))
        fwhm = np.sqrt(0.02 * tan**2 - 0.03 * tan + 0.09)
        height = 60.0 * multiplicity * np.exp(-0.4 / d**2) / np.sin(np.radians(position))
        expected = expected + height * gaussian(two_theta, position, fwhm / 2.355)
    counts = poisson(rng, expected)

    instrument = group(entry, "instrument", "NXinstrument")
    source(instrument, "Institut Laue-Langevin", "Reactor Neutron Source", "neutron")
    crystal = group(instrument, "crystal", "NXcrystal")
    field(crystal, "wavelength", wavelength, "angstrom")
    detector = group(instrument, "detector", "NXdetector")
    field(detector, "polar_angle", two_theta, "degree", axis=1)
    field(detector, "data", counts, "counts", signal=1)
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "silicon powder (NIST SRM 640 type)")
    field(sample, "rotation_angle", 0.0, "degree")
    monitor(entry, np.full(two_theta.shape, 10000, dtype=np.int32), 10000)
    data = nxdata(entry, "data", ["polar_angle"])
    data["polar_angle"] = detector["polar_angle"]
    data["data"] = detector["data"]


def _diamond_reflections(limit: int) -> list[tuple[int, int, int]]:
    """Unique (h >= k >= l >= 0) reflections allowed in the diamond structure."""
    found = []
    for h in range(limit):
        for k in range(h + 1):
            for l in range(k + 1):  # noqa: E741
                all_odd = h % 2 and k % 2 and l % 2
                all_even = not (h % 2 or k % 2 or l % 2) and (h + k + l) % 4 == 0
                if (h, k, l) != (0, 0, 0) and (all_odd or all_even):
                    found.append((h, k, l))
    return found


def _permutations_with_signs(hkl: tuple[int, int, int]) -> list[tuple[int, ...]]:
    """All sign and order variants of a reflection (its cubic multiplicity set)."""
    from itertools import permutations, product

    return [
        tuple(s * v for s, v in zip(signs, order, strict=True))
        for order in permutations(hkl)
        for signs in product((1, -1), repeat=3)
    ]


# --- small-angle scattering (NXsas) ---------------------------------------------------------


def _sas(entry, rng, *, neutron: bool) -> None:
    """A 2D small-angle pattern: spheres (x-ray) or Gaussian polymer coils (neutron)."""
    size = 128 if neutron else 192
    wavelength = 6.0 if neutron else 1.0
    distance, pixel = (8.0, 0.008) if neutron else (1.0, 0.000172)
    centre = (62.3, 66.8) if neutron else (95.4, 101.7)
    yy, xx = np.mgrid[0:size, 0:size]
    r = np.hypot(xx - centre[0], yy - centre[1]) * pixel
    q = 4 * np.pi / wavelength * np.sin(np.arctan(r / distance) / 2)
    if neutron:
        x = (q * 60.0) ** 2  # Debye function of a Gaussian chain, Rg = 60 Å
        form = 2 * (np.exp(-x) + x - 1) / np.where(x > 0, x**2, 1.0)
        expected = 400.0 * np.where(x > 0, form, 1.0) + 2.0
    else:
        qr = np.maximum(q * 45.0, 1e-6)  # spheres of radius 45 Å
        form = (3 * (np.sin(qr) - qr * np.cos(qr)) / qr**3) ** 2
        expected = 5.0e4 * form + 5.0
    image = poisson(rng, expected)
    image[r < 3.5 * pixel] = 0  # beam stop shadow

    instrument = group(entry, "instrument", "NXinstrument")
    field(instrument, "name", "demo SANS instrument" if neutron else "demo SAXS beamline")
    if neutron:
        source(instrument, "Institut Laue-Langevin", "Reactor Neutron Source", "neutron")
    else:
        source(instrument, "Diamond Light Source", "Synchrotron X-ray Source", "x-ray")
    mono = group(instrument, "monochromator", "NXmonochromator")
    field(mono, "wavelength", wavelength, "angstrom")
    field(mono, "wavelength_spread", 0.1 if neutron else 1e-4)
    detector = group(instrument, "detector", "NXdetector")
    field(detector, "data", image, "counts")
    field(detector, "distance", distance, "m")
    field(detector, "x_pixel_size", pixel, "m")
    field(detector, "y_pixel_size", pixel, "m")
    field(detector, "beam_center_x", centre[0] * pixel, "m")
    field(detector, "beam_center_y", centre[1] * pixel, "m")
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "polystyrene in d-toluene" if neutron else "silica spheres in water")
    data = nxdata(entry, "data", [".", "."])
    data["data"] = detector["data"]


def write_saxs(entry: h5py.Group, rng: np.random.Generator) -> None:
    """SAXS pattern of dilute silica spheres (NXsas with an x-ray source)."""
    _sas(entry, rng, neutron=False)


def write_sans(entry: h5py.Group, rng: np.random.Generator) -> None:
    """SANS pattern of polymer coils (NXsas with a neutron source)."""
    _sas(entry, rng, neutron=True)


# --- tomography (NXtomo) ---------------------------------------------------------------------


def write_tomo(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Darks, flats and 0-180 degree projections of a phantom of absorbing discs."""
    rows, columns, centre_offset = 8, 96, 1.5
    angles = np.linspace(0.0, 180.0, 91)
    discs = [(0.0, 0.0, 30.0, 0.010), (12.0, -8.0, 8.0, 0.030), (-15.0, 10.0, 6.0, 0.045)]
    s = np.arange(columns) - (columns - 1) / 2 - centre_offset
    flat_level, dark_level = 12000.0, 100.0
    projections = []
    for angle in np.radians(angles):
        path = np.zeros(columns)
        for x0, y0, radius, mu in discs:
            distance = s - (x0 * np.cos(angle) + y0 * np.sin(angle))
            path += 2 * mu * np.sqrt(np.clip(radius**2 - distance**2, 0, None))
        projections.append(np.tile(flat_level * np.exp(-path), (rows, 1)) + dark_level)
    darks = [np.full((rows, columns), dark_level)] * 2
    flats = [np.full((rows, columns), flat_level + dark_level)] * 2
    stack = poisson(rng, np.array(darks + flats + projections)).astype(np.uint16)
    image_key = np.array([2, 2, 1, 1] + [0] * len(angles), dtype=np.int32)
    rotation = np.concatenate([[0.0] * 4, angles])

    instrument = group(entry, "instrument", "NXinstrument")
    source(
        instrument,
        "Paul Scherrer Institute, Swiss Light Source",
        "Synchrotron X-ray Source",
        "x-ray",
    )
    detector = group(instrument, "detector", "NXdetector")
    field(detector, "data", stack, "counts", signal=1)
    field(detector, "image_key", image_key)
    field(detector, "x_pixel_size", 6.5, "um")
    field(detector, "y_pixel_size", 6.5, "um")
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "aluminium cylinder with steel and copper inclusions")
    field(sample, "rotation_angle", rotation, "degree", axis=1)
    data = nxdata(entry, "data", ["rotation_angle", ".", "."])
    data.attrs["rotation_angle_indices"] = 0
    data["data"] = detector["data"]
    data["rotation_angle"] = sample["rotation_angle"]
    data["image_key"] = detector["image_key"]


# --- x-ray absorption (NXxas) -----------------------------------------------------------------


def write_xas(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Cu K-edge transmission scan of a copper foil with EXAFS oscillations."""
    edge = 8979.0
    energy = np.concatenate([np.arange(8880.0, 8960.0, 2.0), np.arange(8960.0, 9010.0, 0.5),
                             np.arange(9010.0, 9500.0, 2.5)])  # fmt: skip
    k = np.sqrt(np.clip(energy - edge, 0, None) * 0.2625)
    chi = 0.12 * np.sin(2 * k * 2.55 + 0.6) * np.exp(-2 * 0.008 * k**2) / (1 + 0.1 * k)
    step = 0.5 + np.arctan((energy - edge) / 1.5) / np.pi
    white_line = 0.15 * gaussian(energy, edge + 12, 4.0)
    mu = 0.3 - 4e-5 * (energy - edge) + 1.1 * step * (1 + chi) + white_line
    i0 = 2.0e5 * (1 + 0.02 * np.sin(energy / 40.0))
    it = i0 * np.exp(-mu)
    incoming, transmitted = poisson(rng, i0), poisson(rng, it)

    instrument = group(entry, "instrument", "NXinstrument")
    source(instrument, "SOLEIL", "Synchrotron X-ray Source", "x-ray")
    mono = group(instrument, "monochromator", "NXmonochromator")
    field(mono, "energy", energy, "eV", axis=1)
    for name, counts in (("incoming_beam", incoming), ("absorbed_beam", transmitted)):
        field(group(instrument, name, "NXdetector"), "data", counts, "counts")
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "copper foil, 5 um")
    monitor(entry, incoming, 1.0)
    data = nxdata(entry, "absorbed_beam", ["energy"])
    data["energy"] = mono["energy"]
    data["absorbed_beam"] = instrument["absorbed_beam/data"]
    field(data, "mode", "Transmission")


# --- x-ray fluorescence (NXfluo) ---------------------------------------------------------------

XRF_LINES = {  # element: [(energy keV, relative intensity)]
    "Ca": [(3.692, 1.0), (4.013, 0.13)],
    "Fe": [(6.404, 1.0), (7.058, 0.13)],
    "Cu": [(8.048, 1.0), (8.905, 0.13)],
    "Zn": [(8.639, 1.0), (9.572, 0.13)],
    "Pb": [(10.551, 1.0), (12.614, 0.9)],
}


def write_xrf(entry: h5py.Group, rng: np.random.Generator) -> None:
    """XRF spectrum of a pigment sample excited at 15 keV: element K/L lines on background."""
    channels = np.arange(2048)
    energy = 0.01 * channels + 0.005  # keV per channel
    amounts = {"Ca": 800.0, "Fe": 3000.0, "Cu": 1500.0, "Zn": 900.0, "Pb": 600.0}
    expected = 40.0 * np.exp(-energy / 6.0) + 5.0
    for element, lines in XRF_LINES.items():
        for position, ratio in lines:
            sigma = np.sqrt(0.0045**2 + 2.3e-6 * position) * 1.0  # detector resolution, keV
            expected = expected + amounts[element] * ratio * gaussian(energy, position, sigma)
    expected = (
        expected + 2000.0 * gaussian(energy, 15.0, 0.07) + 1200.0 * gaussian(energy, 14.6, 0.15)
    )
    counts = poisson(rng, expected)

    instrument = group(entry, "instrument", "NXinstrument")
    source(instrument, "Diamond Light Source", "Synchrotron X-ray Source", "x-ray")
    mono = group(instrument, "monochromator", "NXmonochromator")
    field(mono, "wavelength", 12.39842 / 15.0, "angstrom")
    field(mono, "energy", 15.0, "keV")
    detector = group(instrument, "fluorescence", "NXdetector")
    field(detector, "data", counts, "counts", axes="energy", signal=1)
    field(detector, "energy", energy, "keV")
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "paint cross-section (synthetic)")
    monitor(entry, np.array([100000], dtype=np.int32), 100000)
    data = nxdata(entry, "data", ["energy"])
    data["energy"] = detector["energy"]
    data["data"] = detector["data"]


# --- photoemission (NXarpes, NXxps) ------------------------------------------------------------


def write_arpes(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Energy-angle map of a parabolic band crossing the Fermi level, at 20 K."""
    photon, work_function, temperature = 50.0, 4.3, 20.0
    angles = np.linspace(-12.0, 12.0, 121)
    kinetic = np.linspace(45.0, 46.0, 201)
    binding = photon - work_function - kinetic  # positive below E_F
    k = 0.5123 * np.sqrt(kinetic[None, :]) * np.sin(np.radians(angles[:, None]))
    band = -0.45 + 3.81 * k**2 / 1.2  # effective mass 1.2 m_e, bottom 0.45 eV below E_F
    width = 0.02 + 0.1 * np.abs(binding[None, :])
    spectral = width / ((-binding[None, :] - band) ** 2 + width**2)
    fermi = 1 / (np.exp(-binding / (8.617e-5 * temperature) / 1.0) + 1)
    counts = poisson(rng, 30.0 * spectral * fermi[None, :] + 2.0)

    instrument = group(entry, "instrument", "NXinstrument")
    source(instrument, "MAX IV Laboratory", "Synchrotron X-ray Source", "x-ray")
    field(group(instrument, "monochromator", "NXmonochromator"), "energy", photon, "eV")
    analyser = group(instrument, "analyser", "NXdetector")
    field(analyser, "data", counts, "counts")
    for name, value in (("lens_mode", "Angular30"), ("acquisition_mode", "swept"),
                        ("entrance_slit_shape", "curved")):  # fmt: skip
        field(analyser, name, value)
    field(analyser, "entrance_slit_setting", 2.0, "")
    field(analyser, "entrance_slit_size", 0.2, "mm")
    field(analyser, "pass_energy", 5.0, "eV")
    field(analyser, "time_per_channel", 0.1, "s")
    field(analyser, "angles", angles, "degree")
    field(analyser, "energies", kinetic, "eV")
    field(analyser, "sensor_size", np.array([1040, 1392], dtype=np.int32))
    field(analyser, "region_origin", np.array([100, 200], dtype=np.int32))
    field(analyser, "region_size", np.array([121, 201], dtype=np.int32))
    field(analyser, "work_function", work_function, "eV")
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "Cu(111) single crystal")
    field(sample, "temperature", temperature, "K")
    data = nxdata(entry, "data", ["angles", "energies"])
    for name in ("data", "angles", "energies"):
        data[name] = analyser[name]


XPS_PEAKS = {"Si 2p": 99.4, "Si 2s": 150.5, "C 1s": 284.8, "N 1s": 399.8, "O 1s": 532.6}


def write_xps(entry: h5py.Group, rng: np.random.Generator) -> None:
    """XPS survey (Al K-alpha) of an oxidised silicon wafer with carbon and nitrogen traces."""
    photon, work_function = 1486.6, 4.5
    binding = np.arange(0.0, 650.0, 0.5)
    heights = {"Si 2p": 900.0, "Si 2s": 700.0, "C 1s": 1200.0, "N 1s": 300.0, "O 1s": 4200.0}
    expected = 150.0 + 0.6 * binding
    for name, position in XPS_PEAKS.items():
        h = heights[name]
        expected = expected + h * (0.7 * gaussian(binding, position, 0.8)
                                   + 0.3 / (1 + ((binding - position) / 0.9) ** 2))  # fmt: skip
        expected = expected + 0.12 * h * (0.5 + np.arctan((binding - position) / 1.0) / np.pi)
    counts = poisson(rng, expected).astype(np.float64)

    field(entry, "method", "X-ray photoelectron spectroscopy (XPS)")
    instrument = group(entry, "instrument", "NXinstrument")
    source(instrument, "Synchrotron SOLEIL", "Synchrotron X-ray Source", "x-ray")
    field(group(instrument, "beam_probe", "NXbeam"), "incident_energy", photon, "eV")
    analyser = group(instrument, "electronanalyzer", "NXelectronanalyzer")
    field(analyser, "work_function", work_function, "eV")
    field(group(analyser, "collectioncolumn", "NXcollectioncolumn"), "scheme", "angular dispersive")
    dispersion = group(analyser, "energydispersion", "NXenergydispersion")
    field(dispersion, "scheme", "hemispherical")
    field(dispersion, "energy_scan_mode", "fixed_analyzer_transmission")
    field(dispersion, "pass_energy", 50.0, "eV")
    group(analyser, "electron_detector", "NXelectron_detector")
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "Si(100) wafer with native oxide")
    data = nxdata(entry, "data", ["energy"])
    data.attrs["energy_indices"] = 0
    field(data, "data", counts, "counts")
    field(data, "energy", binding, "eV", type="binding")


# --- neutron reflectometry (NXrefscan) -----------------------------------------------------------


def write_reflectometry(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Theta-2theta scan of a 35 nm nickel film on silicon: critical edge and Kiessig fringes."""
    field(entry, "end_time", END_TIME)
    wavelength = 4.75
    theta = np.linspace(0.15, 2.2, 411)
    q = 4 * np.pi / wavelength * np.sin(np.radians(theta))
    reflectivity = parratt(q, [(9.41e-6, 350.0, 5.0)], substrate=2.07e-6, roughness=4.0)
    monitor_counts = np.full(theta.shape, 2.0e5)
    footprint = np.minimum(1.0, 50.0 * np.sin(np.radians(theta)) / 0.5)  # 50 mm sample, 0.5 mm beam
    expected = 2.0e7 * reflectivity * footprint + 0.3
    counts = poisson(rng, expected)

    instrument = group(entry, "instrument", "NXinstrument")
    source(instrument, "Paul Scherrer Institute, SINQ", "Spallation Neutron Source", "neutron")
    field(
        group(instrument, "monochromator", "NXmonochromator"), "wavelength", wavelength, "angstrom"
    )
    detector = group(instrument, "detector", "NXdetector")
    field(detector, "data", counts, "counts", signal=1)
    field(detector, "polar_angle", 2 * theta, "degree", axis=1)
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "Ni 35 nm on Si")
    field(sample, "rotation_angle", theta, "degree")
    control = monitor(entry, monitor_counts, 2.0e5, name="control")
    field(control, "direct_beam", 2.0e7 / 2.0e5, "")
    data = nxdata(entry, "data", ["rotation_angle"])
    data["data"] = detector["data"]
    data["rotation_angle"] = sample["rotation_angle"]
    data["polar_angle"] = detector["polar_angle"]


def parratt(q, layers, substrate: float, roughness: float):
    """Specular reflectivity of (sld 1/Å², thickness Å, roughness Å) layers on a substrate."""
    slds = [0.0] + [sld for sld, _, _ in layers] + [substrate]
    kz = [np.sqrt((q / 2) ** 2 - 4 * np.pi * sld + 0j) for sld in slds]
    sigmas = [sigma for _, _, sigma in layers] + [roughness]
    thicknesses = [0.0] + [d for _, d, _ in layers]
    result = np.zeros_like(q, dtype=complex)
    for j in range(len(slds) - 2, -1, -1):
        r = (
            (kz[j] - kz[j + 1])
            / (kz[j] + kz[j + 1])
            * np.exp(-2 * kz[j] * kz[j + 1] * sigmas[j] ** 2)
        )
        phase = np.exp(2j * kz[j + 1] * thicknesses[j + 1]) if j + 1 < len(slds) - 1 else 1.0
        result = (r + result * phase) / (1 + r * result * phase)
    return np.abs(result) ** 2


# --- inelastic neutron scattering (NXspe) ------------------------------------------------------


def write_ins(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Direct-geometry powder spectrum (Ei 60 meV): elastic line and an acoustic phonon branch."""
    ei, n_det = 60.0, 64
    polar = np.linspace(4.0, 130.0, n_det)
    energy_edges = np.linspace(-10.0, 50.0, 121)
    energy = (energy_edges[:-1] + energy_edges[1:]) / 2
    ki = np.sqrt(ei / 2.072)
    kf = np.sqrt(np.clip(ei - energy, 1e-3, None) / 2.072)
    q = np.sqrt(
        ki**2 + kf[None, :] ** 2 - 2 * ki * kf[None, :] * np.cos(np.radians(polar[:, None]))
    )
    phonon = 28.0 * np.abs(np.sin(q * 3.61 / 4))  # zone-boundary energy 28 meV, Cu-like lattice
    bose = 1 / (1 - np.exp(-np.maximum(energy, 0.5) / (8.617e-2 * 300)))
    expected = (400.0 * gaussian(energy, 0.0, 1.2)[None, :]
                + 25.0 * q**2 * np.exp(-0.01 * q**2) * gaussian(energy[None, :], phonon, 1.8) * bose
                + 3.0)  # fmt: skip
    counts = poisson(rng, expected).astype(np.float64)

    field(entry, "program_name", "analysis-registry demo generator")
    entry["definition"].attrs["version"] = "1.0"
    info = group(entry, "NXSPE_info", "NXcollection")
    field(info, "fixed_energy", ei, "meV")
    field(info, "ki_over_kf_scaling", True)
    field(info, "psi", 0.0, "degree")
    data = nxdata(entry, "data", ["polar", "energy"])
    data.attrs["polar_indices"], data.attrs["energy_indices"] = 0, 1
    field(data, "data", counts, "counts")
    field(data, "error", np.sqrt(np.maximum(counts, 1.0)), "counts")
    field(data, "energy", energy_edges, "meV")
    field(data, "polar", polar, "degree")
    field(data, "polar_width", np.full(n_det, 2.0), "degree")
    field(data, "azimuthal", np.zeros(n_det), "degree")
    field(data, "azimuthal_width", np.full(n_det, 5.0), "degree")
    field(data, "distance", np.full(n_det, 4.0), "m")
    instrument = group(entry, "instrument", "NXinstrument")
    field(instrument, "name", "demo direct-geometry spectrometer")
    source(instrument, "ISIS Neutron and Muon Source", "Spallation Neutron Source", "neutron")
    field(group(instrument, "fermi", "NXfermi_chopper"), "energy", ei, "meV")
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "copper powder")
    field(sample, "rotation_angle", 0.0, "degree")
    field(sample, "seblock", "closed-cycle refrigerator")
    field(sample, "temperature", 300.0, "K")


# --- electron microscopy (NXem) -----------------------------------------------------------------


def write_em(entry: h5py.Group, rng: np.random.Generator) -> None:
    """HAADF-STEM-like image of gold nanoparticles showing (111) lattice fringes.

    NXem describes whole microscope sessions and is very large. This file writes only what
    NXem requires (definition, start_time, a sample with is_simulation, preparation_date and
    atom_types) plus the minimum a reader needs to find the image: an instrument with an
    electron source and an NXdata with calibrated axes. The NXem event/measurement tree is
    left out on purpose.
    """
    size, pixel_nm, spacing_nm = 192, 0.05, 0.2355
    yy, xx = (np.mgrid[0:size, 0:size] + 0.5) * pixel_nm
    image = np.full((size, size), 80.0)
    for _ in range(9):
        x0, y0 = rng.uniform(1.0, size * pixel_nm - 1.0, size=2)
        radius = rng.uniform(0.6, 1.4)
        angle = rng.uniform(0, np.pi)
        inside = np.hypot(xx - x0, yy - y0) < radius
        along = xx * np.cos(angle) + yy * np.sin(angle)
        image += inside * (600.0 + 250.0 * np.cos(2 * np.pi * along / spacing_nm))
    image = poisson(rng, image).astype(np.uint16)

    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "Au nanoparticles on amorphous carbon")
    field(sample, "is_simulation", True)
    field(sample, "preparation_date", "2024-05-13T16:00:00+02:00")
    field(sample, "atom_types", "Au, C")
    instrument = group(entry, "instrument", "NXinstrument")
    field(instrument, "name", "demo scanning transmission electron microscope")
    electron = source(instrument, "Diamond Light Source, ePSIC", "Electron Source", "electron",
                      group_name="electron_source")  # fmt: skip
    field(electron, "emitter_type", "cold field emission")
    field(electron, "voltage", 300.0, "kV")
    data = nxdata(entry, "data", ["y", "x"])
    field(data, "data", image, "counts")
    field(data, "x", xx[0], "nm")
    field(data, "y", yy[:, 0], "nm")


# --- scanning transmission x-ray microscopy (NXstxm) ----------------------------------------------


def write_stxm(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Carbon K-edge image stack of a polystyrene/PMMA blend."""
    field(entry, "end_time", END_TIME)
    energy = np.concatenate([np.linspace(280.0, 284.0, 5), np.linspace(284.4, 290.0, 15),
                             np.linspace(291.0, 300.0, 10)])  # fmt: skip
    step = 0.5 + np.arctan((energy - 289.0) / 0.8) / np.pi
    polystyrene = 0.25 + 1.6 * gaussian(energy, 285.15, 0.35) + 0.9 * step
    pmma = 0.25 + 1.3 * gaussian(energy, 288.45, 0.4) + 1.0 * step
    size = 32
    yy, xx = np.mgrid[0:size, 0:size]
    domains = ((xx - 10) ** 2 + (yy - 12) ** 2 < 40) | ((xx - 22) ** 2 + (yy - 21) ** 2 < 55)
    ps_fraction = np.where(domains, 0.9, 0.1)
    film = np.hypot(xx - 16, yy - 16) < 14  # outside the film: empty (I0) region
    thickness = np.where(film, 1.0, 0.0)
    od = thickness[None] * (ps_fraction[None] * polystyrene[:, None, None]
                            + (1 - ps_fraction[None]) * pmma[:, None, None])  # fmt: skip
    stack = poisson(rng, 8000.0 * np.exp(-od)).astype(np.float32)
    sample_x = np.linspace(0.0, 6.2, size)
    sample_y = np.linspace(0.0, 6.2, size)

    instrument = group(entry, "instrument", "NXinstrument")
    source(
        instrument,
        "Paul Scherrer Institute, Swiss Light Source",
        "Synchrotron X-ray Source",
        "x-ray",
    )
    field(group(instrument, "monochromator", "NXmonochromator"), "energy", energy, "eV")
    detector = group(instrument, "detector", "NXdetector")
    field(detector, "data", stack, "counts")
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "polystyrene/PMMA blend film")
    field(sample, "rotation_angle", 0.0, "degree")
    data = nxdata(entry, "data", ["energy", "sample_y", "sample_x"])
    data.attrs.update(energy_indices=0, sample_y_indices=1, sample_x_indices=2)
    field(data, "stxm_scan_type", "sample image stack")
    data["data"] = detector["data"]
    field(data, "energy", energy, "eV")
    field(data, "sample_y", sample_y, "um")
    field(data, "sample_x", sample_x, "um")
