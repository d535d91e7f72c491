"""PNG previews of a dataset's default NXdata plot: a line for 1D signals, an image for 2D.

Only the plotted signal (and its axes when small) is read, with a stride so that big arrays are
downsampled while reading. Only what lies inside the file is plotted: a path that crosses an
external link, or a field whose values live in another file (external storage, a virtual
dataset), is never read, so a file cannot make the plot show another file's content. PNGs are cached under ``VAR_DIR/plots`` keyed by the file's SHA-256.
"""

from __future__ import annotations

import io
import math
import uuid
from pathlib import Path

import h5py
import numpy as np
from django.conf import settings

from config.api.errors import DomainError
from datasets.nexus.walker import stored_elsewhere

MAX_POINTS_1D = 4000
MAX_PIXELS_2D = 800
MAX_SOFT_LINK_HOPS = 8


class NoPlotError(DomainError):
    """The dataset has no default plot, or its file is not available."""

    status_code = 404
    code = "not_found"


def plot_cache_path(sha256: str) -> Path:
    """Where the PNG of the file with checksum ``sha256`` is cached."""
    return Path(settings.VAR_DIR) / "plots" / f"{sha256}.png"


def _stride(length: int, limit: int) -> int:
    """The step that keeps at most about ``limit`` of ``length`` samples."""
    return max(1, math.ceil(length / limit))


def read_signal(dataset: h5py.Dataset) -> np.ndarray:
    """The signal downsampled while reading: at most 2 dimensions, strided to the limits."""
    shape = dataset.shape
    if len(shape) == 0:
        return np.atleast_1d(dataset[()])
    leading = (0,) * max(0, len(shape) - 2)
    tail = shape[len(leading) :]
    limit = MAX_POINTS_1D if len(tail) == 1 else MAX_PIXELS_2D
    selection = leading + tuple(slice(None, None, _stride(size, limit)) for size in tail)
    return np.asarray(dataset[selection])


def object_inside(handle: h5py.File, path: str, hops: int = MAX_SOFT_LINK_HOPS):
    """The object at ``path`` reached through hard links and soft links of ``handle`` only;
    None when the path crosses an external link, does not resolve, or loops."""
    current = handle["/"]
    parts = [part for part in path.split("/") if part and part != "."]
    for index, name in enumerate(parts):
        if not isinstance(current, h5py.Group):
            return None
        link = current.get(name, getlink=True)
        if isinstance(link, h5py.SoftLink):
            if hops <= 0:
                return None
            target = link.path if link.path.startswith("/") else f"{current.name}/{link.path}"
            rest = "/".join(parts[index + 1 :])
            return object_inside(handle, f"{target}/{rest}" if rest else target, hops - 1)
        if not isinstance(link, h5py.HardLink):
            return None  # absent, external or user-defined
        current = current[name]
    return current


def _field_inside(handle: h5py.File, path: str) -> h5py.Dataset | None:
    """The field at ``path`` when it and its values are inside the file, else None."""
    found = object_inside(handle, path)
    if not isinstance(found, h5py.Dataset) or stored_elsewhere(found.id):
        return None
    return found


def _read_axis(handle: h5py.File, path: str, length: int, step: int) -> np.ndarray | None:
    """A 1D axis of the expected length, strided like the signal; None when unusable."""
    axis = _field_inside(handle, path)
    if (
        not isinstance(axis, h5py.Dataset)
        or axis.ndim != 1
        or axis.shape[0] not in (length, length + 1)
    ):
        return None
    return np.asarray(axis[::step][: math.ceil(length / step)], dtype=float)


def render_png(source: str | Path, plot: dict) -> bytes:
    """Render the default plot described by ``plot`` ({path, signal, axes}) of ``source``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    with h5py.File(source, "r") as handle:
        signal = _field_inside(handle, _absolute(plot["path"], plot["signal"]))
        if signal is None or not np.issubdtype(signal.dtype, np.number):
            raise NoPlotError("The default plot has no numeric signal to draw.")
        data = read_signal(signal)
        axes = list(plot.get("axes") or [])
        figure = Figure(figsize=(6, 4), dpi=100)
        ax = figure.add_subplot()
        if data.ndim == 1:
            step = _stride(signal.shape[-1], MAX_POINTS_1D)
            x = (
                _read_axis(handle, _absolute(plot["path"], axes[-1]), signal.shape[-1], step)
                if axes and axes[-1] not in ("", ".")
                else None
            )
            ax.plot(x[: data.size] if x is not None else np.arange(data.size) * step, data)
            ax.set_xlabel(axes[-1] if x is not None else "index")
            ax.set_ylabel(plot["signal"])
        else:
            image = ax.imshow(data.astype(float), origin="lower", aspect="auto")
            figure.colorbar(image, ax=ax, label=plot["signal"])
        ax.set_title(_absolute(plot["path"], plot["signal"]), fontsize=9)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _absolute(group: str, name: str) -> str:
    """The extractor names fields by their full path; older summaries by their name alone."""
    return name if name.startswith("/") else f"{group}/{name}"


def dataset_plot_png(dataset) -> bytes:
    """The PNG of a dataset's default plot, from the cache or freshly rendered and cached."""
    plot = dataset.default_plot
    if not plot or not plot.get("signal"):
        raise NoPlotError(f"Dataset {dataset.pid} has no default plot.")
    source = Path(dataset.source_path)
    if not dataset.source_path or not source.is_file():
        raise NoPlotError(f"The file of dataset {dataset.pid} is not available.")
    cached = plot_cache_path(dataset.source_sha256) if dataset.source_sha256 else None
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    try:
        png = render_png(source, plot)
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise NoPlotError(f"The default plot of {dataset.pid} cannot be read: {exc}") from exc
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_name(f"{cached.stem}.{uuid.uuid4().hex}.tmp")
        temporary.write_bytes(png)
        temporary.replace(cached)
    return png
