"""PNG previews of a dataset's default NXdata plot: a line for 1D signals, an image for 2D.

Only the plotted signal (and its axes when small) is read, with a stride so that big arrays are
downsampled while reading. PNGs are cached under ``VAR_DIR/plots`` keyed by the file's SHA-256.
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

MAX_POINTS_1D = 4000
MAX_PIXELS_2D = 800


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


def _read_axis(group: h5py.Group, name: str, length: int, step: int) -> np.ndarray | None:
    """A 1D axis of the expected length, strided like the signal; None when unusable."""
    axis = group.get(name) if name and name != "." else None
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
        group = handle.get(plot["path"])
        signal = group.get(plot["signal"]) if isinstance(group, h5py.Group) else None
        if not isinstance(signal, h5py.Dataset) or not np.issubdtype(signal.dtype, np.number):
            raise NoPlotError("The default plot has no numeric signal to draw.")
        data = read_signal(signal)
        axes = list(plot.get("axes") or [])
        figure = Figure(figsize=(6, 4), dpi=100)
        ax = figure.add_subplot()
        if data.ndim == 1:
            step = _stride(signal.shape[-1], MAX_POINTS_1D)
            x = _read_axis(group, axes[-1] if axes else "", signal.shape[-1], step)
            ax.plot(x[: data.size] if x is not None else np.arange(data.size) * step, data)
            ax.set_xlabel(axes[-1] if x is not None else "index")
            ax.set_ylabel(plot["signal"])
        else:
            image = ax.imshow(data.astype(float), origin="lower", aspect="auto")
            figure.colorbar(image, ax=ax, label=plot["signal"])
        # The extractor names the signal by its full path; older summaries by its name alone.
        title = (
            plot["signal"] if plot["signal"].startswith("/") else f"{plot['path']}/{plot['signal']}"
        )
        ax.set_title(title, fontsize=9)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


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
