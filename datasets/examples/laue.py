"""Example writer: a white-beam Laue pattern of a silicon grain on an area detector (NXxbase,
with the white-beam spectrum of NXxlaue in the source)."""

import h5py
import numpy as np

from .base import field, group, nxdata, poisson, source

SILICON_A = 5.431  # Å
PIXELS, PIXEL_SIZE, DISTANCE = 256, 2.0e-4, 0.05  # pixels per side, m, m
BAND = (0.25, 1.0)  # white-beam wavelength band (Å)


def _orientation(rng: np.random.Generator) -> np.ndarray:
    """A random rotation matrix (QR of a Gaussian matrix, made proper)."""
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    return q if np.linalg.det(q) > 0 else -q


def _diamond_hkl(limit: int) -> np.ndarray:
    """Reflections allowed in the diamond structure with |h|,|k|,|l| <= limit."""
    span = np.arange(-limit, limit + 1)
    hkl = np.array(np.meshgrid(span, span, span)).reshape(3, -1).T
    mixed = np.ptp(hkl % 2, axis=1) != 0
    odd = hkl.sum(axis=1) % 2 != 0
    allowed = ~mixed & (odd | (hkl.sum(axis=1) % 4 == 0))
    return hkl[allowed & (np.abs(hkl).sum(axis=1) > 0)]


def laue_spots(orientation: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pixel columns, rows and wavelengths (Å) of the reflections that reach the detector,
    for a beam along +z and a detector normal to it at DISTANCE."""
    g = (orientation @ (_diamond_hkl(6).T * 2 * np.pi / SILICON_A)).T  # 1/Å
    along = g[:, 2]
    reflecting = along < 0
    k = -np.sum(g**2, axis=1)[reflecting] / (2 * along[reflecting])
    out = g[reflecting] + np.outer(k, [0.0, 0.0, 1.0])
    wavelength = 2 * np.pi / k
    ahead = (out[:, 2] > 0) & (wavelength > BAND[0]) & (wavelength < BAND[1])
    x = DISTANCE * out[ahead, 0] / out[ahead, 2] / PIXEL_SIZE + PIXELS / 2
    y = DISTANCE * out[ahead, 1] / out[ahead, 2] / PIXEL_SIZE + PIXELS / 2
    inside = (x > 2) & (x < PIXELS - 3) & (y > 2) & (y < PIXELS - 3)
    return x[inside], y[inside], wavelength[ahead][inside]


def write_laue(entry: h5py.Group, rng: np.random.Generator) -> None:
    """Laue spots (1.2-pixel Gaussians, brighter at the spectrum's peak) on a flat background."""
    orientation = _orientation(rng)
    columns, rows, wavelengths = laue_spots(orientation)
    yy, xx = np.mgrid[0:PIXELS, 0:PIXELS]
    image = np.full((PIXELS, PIXELS), 20.0)
    for x, y, wavelength in zip(columns, rows, wavelengths, strict=True):
        height = 3000 * np.exp(-(((wavelength - 0.5) / 0.3) ** 2))
        image += height * np.exp(-((xx - x) ** 2 + (yy - y) ** 2) / (2 * 1.2**2))
    counts = poisson(rng, image)[None, :, :]

    instrument = group(entry, "instrument", "NXinstrument")
    field(instrument, "name", "demo Laue microdiffraction station")
    beam = source(instrument, "demo synchrotron", "Synchrotron X-ray Source", "x-ray")
    lam = np.linspace(0.2, 1.1, 46)
    distribution = nxdata(beam, "data", ["wavelength"], name="distribution")
    field(distribution, "data", np.exp(-(((lam - 0.5) / 0.3) ** 2)))
    field(distribution, "wavelength", lam, "angstrom")
    field(group(instrument, "monochromator", "NXmonochromator"), "wavelength", 0.5, "angstrom")
    detector = group(instrument, "detector", "NXdetector")
    field(detector, "data", counts, "counts", signal=1)
    field(detector, "x_pixel_size", PIXEL_SIZE * 1e3, "mm")
    field(detector, "y_pixel_size", PIXEL_SIZE * 1e3, "mm")
    field(detector, "distance", DISTANCE * 1e3, "mm")
    field(detector, "frame_start_number", 0)
    field(detector, "polar_angle", 0.0, "degree")
    field(detector, "beam_center_x", PIXELS / 2 * PIXEL_SIZE * 1e3, "mm")
    field(detector, "beam_center_y", PIXELS / 2 * PIXEL_SIZE * 1e3, "mm")
    field(group(instrument, "attenuator", "NXattenuator"), "attenuator_transmission", 1.0)
    sample = group(entry, "sample", "NXsample")
    field(sample, "name", "silicon grain")
    field(sample, "orientation_matrix", orientation)
    field(sample, "unit_cell", [SILICON_A, SILICON_A, SILICON_A, 90.0, 90.0, 90.0])
    field(sample, "temperature", 295.0, "K")
    field(sample, "x_translation", 0.0, "mm")
    field(sample, "y_translation", 0.0, "mm")
    field(sample, "distance", 0.0, "mm")
    field(sample, "rotation_angle", [0.0], "degree")
    field(sample, "rotation_angle_step", 0.0, "degree")
    control = group(entry, "control", "NXmonitor")
    field(control, "mode", "timer")
    field(control, "preset", 1.0)
    field(control, "integral", 1.0e6, "counts")
    data = nxdata(entry, "data", [".", "y", "x"])
    data["data"] = h5py.SoftLink("/entry/instrument/detector/data")
    data["rotation_angle"] = h5py.SoftLink("/entry/sample/rotation_angle")
