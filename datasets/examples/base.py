"""Building blocks of the example NeXus files: the Example record, groups, fields, signals."""

from collections.abc import Callable
from dataclasses import dataclass

import h5py
import numpy as np

PANET = "http://purl.org/pan-science/PaNET/"
START_TIME = "2024-05-14T09:30:00+02:00"
END_TIME = "2024-05-14T09:42:00+02:00"
NXDL_VERSION = "v2026.01"  # the NeXus definitions release these files follow
CREATOR = "analysis-registry datasets.examples (synthetic demo data)"

Writer = Callable[[h5py.Group, np.random.Generator], None]


@dataclass(frozen=True)
class Example:
    """One example technique: its file slug, NeXus definition, PaNET IRIs and writer.

    ``definition`` is None for a file that follows base classes only (no application definition).
    ``classes`` are NeXus classes that set the file apart from the other examples of its
    techniques: it is picked for a procedure only when the procedure asks for one of them.
    """

    slug: str
    definition: str | None
    title: str
    techniques: tuple[str, ...]
    writer: Writer
    classes: tuple[str, ...] = ()

    @property
    def file_name(self) -> str:
        """Name of the example file, ``<slug>.nxs``."""
        return f"{self.slug}.nxs"


def group(parent: h5py.Group, name: str, nx_class: str, **attrs) -> h5py.Group:
    """Create a NeXus group with its NX_class and further attributes."""
    created = parent.create_group(name)
    created.attrs["NX_class"] = nx_class
    for key, value in attrs.items():
        created.attrs[key] = value
    return created


def field(parent: h5py.Group, name: str, value, units: str | None = None, **attrs) -> h5py.Dataset:
    """Create a NeXus field, with a ``units`` attribute when given."""
    dataset = parent.create_dataset(name, data=value)
    if units is not None:
        dataset.attrs["units"] = units
    for key, attr in attrs.items():
        dataset.attrs[key] = attr
    return dataset


def source(parent: h5py.Group, name: str, kind: str, probe: str, group_name: str = "source"):
    """An NXsource with name, type and probe."""
    created = group(parent, group_name, "NXsource")
    field(created, "name", name)
    field(created, "type", kind)
    field(created, "probe", probe)
    return created


def nxdata(parent: h5py.Group, signal: str, axes: list[str], name: str = "data") -> h5py.Group:
    """An NXdata group whose ``signal`` and ``axes`` attributes name its plottable fields."""
    return group(parent, name, "NXdata", signal=signal, axes=axes)


def monitor(entry: h5py.Group, counts, preset: float, name: str = "monitor") -> h5py.Group:
    """An NXmonitor counting in monitor mode."""
    created = group(entry, name, "NXmonitor")
    field(created, "mode", "monitor")
    field(created, "preset", float(preset))
    field(created, "data", counts, units="counts")
    field(created, "integral", float(np.sum(counts)), units="counts")
    return created


def gaussian(x, centre: float, sigma: float):
    """Unit-height Gaussian."""
    return np.exp(-0.5 * ((x - centre) / sigma) ** 2)


def poisson(rng: np.random.Generator, expected) -> np.ndarray:
    """Counts drawn around ``expected`` (clipped at zero)."""
    return rng.poisson(np.clip(expected, 0, None)).astype(np.int32)
