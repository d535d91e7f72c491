"""A corpus of hostile and broken NeXus/HDF5 files, written on demand into a folder.

Each ``write_*`` function creates one file and returns its path. Used by
``test_nexus_hostile.py`` and the benchmark; nothing here is kept in the repository.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

TEN_MB = 10 * 1024 * 1024


def _entry(file: h5py.File, name: str = "entry") -> h5py.Group:
    entry = file.create_group(name)
    entry.attrs["NX_class"] = "NXentry"
    return entry


def write_external_link(folder: Path) -> Path:
    """An entry holding an external link to /etc/passwd (which is not HDF5 at all)."""
    path = folder / "external_link.nxs"
    with h5py.File(path, "w") as file:
        entry = _entry(file)
        entry["secrets"] = h5py.ExternalLink("/etc/passwd", "/root")
        entry["definition"] = "NXsas"
    return path


def write_link_loops(folder: Path) -> Path:
    """Soft links pointing at each other, a dangling soft link and a hard link to an ancestor."""
    path = folder / "link_loops.nxs"
    with h5py.File(path, "w") as file:
        entry = _entry(file)
        entry["a"] = h5py.SoftLink("/entry/b")
        entry["b"] = h5py.SoftLink("/entry/a")
        entry["dangling"] = h5py.SoftLink("/nowhere/at/all")
        inner = entry.create_group("inner")
        inner.attrs["NX_class"] = "NXcollection"
        inner["back_to_entry"] = entry  # hard link: /entry/inner/back_to_entry is /entry
    return path


def write_many_groups(folder: Path, count: int = 200_000) -> Path:
    """``count`` empty groups side by side under one entry (low-level API for speed)."""
    path = folder / "many_groups.nxs"
    with h5py.File(path, "w", libver="latest") as file:
        entry = _entry(file)
        group_id = entry.id
        for index in range(count):
            h5py.h5g.create(group_id, f"g{index:06d}".encode())
    return path


def write_big_attributes(folder: Path, size: int = TEN_MB) -> Path:
    """A 10 MB ``NX_class`` attribute on a group and a 10 MB ``units`` attribute on a field."""
    path = folder / "big_attributes.nxs"
    with h5py.File(path, "w", libver="latest") as file:
        entry = _entry(file)
        group = entry.create_group("huge")
        group.attrs["NX_class"] = np.bytes_(b"N" * size)
        field = entry.create_dataset("temperature", data=300.0)
        field.attrs["units"] = np.zeros(size // 8)
    return path


def write_truncated_copy(source: Path, folder: Path) -> Path:
    """The first half of a real file's bytes."""
    path = folder / f"truncated_{source.name}"
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def write_empty(folder: Path) -> Path:
    """A zero-byte file named like NeXus."""
    path = folder / "empty.nxs"
    path.write_bytes(b"")
    return path


def write_text(folder: Path) -> Path:
    """A text file named .nxs."""
    path = folder / "notes.nxs"
    path.write_text("This is not a NeXus file.\nJust some notes.\n", encoding="utf-8")
    return path


def write_plain_hdf5(folder: Path) -> Path:
    """Valid HDF5 without a single NX_class attribute."""
    path = folder / "plain.h5"
    with h5py.File(path, "w") as file:
        file.create_group("measurement").create_dataset("values", data=np.arange(10))
    return path


def write_odd_definitions(folder: Path) -> Path:
    """Entries whose ``definition`` is an int, an array of floats, and a proper string."""
    path = folder / "odd_definitions.nxs"
    with h5py.File(path, "w") as file:
        _entry(file, "as_int")["definition"] = 42
        _entry(file, "as_floats")["definition"] = np.array([1.5, 2.5, 3.5])
        _entry(file, "as_text")["definition"] = np.array([b"NXtomo"])
    return path


def write_deep(folder: Path, depth: int = 64) -> Path:
    """Groups nested ``depth`` levels deep."""
    path = folder / "deep.nxs"
    with h5py.File(path, "w") as file:
        group = _entry(file)
        for level in range(depth):
            group = group.create_group(f"level{level}")
    return path


def write_external_signal(folder: Path) -> Path:
    """An NXdata whose signal ``y`` and axis ``x`` are external links into another HDF5 file
    (``secret.h5``, beside it), and whose ``z`` keeps its values in a raw external file: a
    plot of any of them would show data from outside the file."""
    secret = folder / "secret.h5"
    with h5py.File(secret, "w") as file:
        file["data"] = np.arange(50.0)
    raw = folder / "secret.raw"
    raw.write_bytes(bytes(range(64)))
    path = folder / "external_signal.nxs"
    with h5py.File(path, "w") as file:
        file.attrs["default"] = "entry"
        entry = _entry(file)
        entry.attrs["default"] = "data"
        data = entry.create_group("data")
        data.attrs["NX_class"] = "NXdata"
        data.attrs["signal"] = "y"
        data.attrs["axes"] = ["x"]
        data["y"] = h5py.ExternalLink(str(secret), "/data")
        data["x"] = h5py.ExternalLink(str(secret), "/data")
        data.create_dataset("z", shape=(64,), dtype="u1", external=[(str(raw), 0, 64)])
        entry.create_dataset("title", shape=(1,), dtype="S16", external=[(str(raw), 0, 16)])
    return path


def write_vlen_attribute(folder: Path, size: int = TEN_MB) -> Path:
    """A 10 MB variable-length string ``NX_class``: its storage size is a pointer's."""
    path = folder / "vlen_attribute.nxs"
    with h5py.File(path, "w") as file:
        group = _entry(file).create_group("huge")
        group.attrs.create("NX_class", "N" * size, dtype=h5py.string_dtype())
    return path


def write_costly_units(folder: Path, size: int = 60_000) -> Path:
    """Parameters whose ``units`` pint would take seconds (or forever) to evaluate: a 60 kB
    product of units, a short chained power (``m**9**9**9`` computes 9**9**9) and a 2 MB
    variable-length one."""
    path = folder / "costly_units.nxs"
    with h5py.File(path, "w") as file:
        entry = _entry(file)
        sample = entry.create_group("sample")
        sample.attrs["NX_class"] = "NXsample"
        sample["temperature"] = 300.0
        sample["temperature"].attrs["units"] = "m*" * (size // 2) + "m"
        sample["pressure"] = 1.0
        sample["pressure"].attrs["units"] = "m**9**9**9"
        sample["magnetic_field"] = 1.0
        sample["magnetic_field"].attrs.create("units", "T*" * 1_000_000, dtype=h5py.string_dtype())
    return path
