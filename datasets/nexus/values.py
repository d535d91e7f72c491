"""Turn the odd shapes HDF5 values come in (bytes, 1-element arrays, numpy scalars) into Python."""

from __future__ import annotations

import numpy as np


def as_text(value: object) -> str | None:
    """A string from ``str``, ``bytes``, numpy strings, or a 1-element array of those.

    Returns None for anything else (numbers, longer arrays, compound values), so callers can
    warn about an odd type instead of guessing.
    """
    if isinstance(value, np.ndarray):
        if value.size != 1 or value.dtype.kind not in "SUO":
            return None
        value = value.reshape(-1)[0]
    if isinstance(value, bytes | np.bytes_):
        return bytes(value).decode("utf-8", errors="replace").rstrip("\x00").strip()
    if isinstance(value, str | np.str_):
        return str(value).rstrip("\x00").strip()
    return None


def as_number(value: object) -> float | int | None:
    """A Python int or float from a numeric scalar or 1-element numeric array, else None."""
    if isinstance(value, np.ndarray):
        if value.size != 1 or value.dtype.kind not in "iuf":
            return None
        value = value.reshape(-1)[0]
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, np.floating) and value.dtype.itemsize < 8:
        value = float(str(value))  # shortest decimal of a float32: 3.355, not 3.3550000190734863
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if np.isfinite(number) else None
    return None


def as_name_list(value: object) -> list[str]:
    """Names from an ``axes``-style attribute: a string list, an array, or "x:y" / "x,y"."""
    if isinstance(value, np.ndarray) and value.size > 1:
        names = [as_text(item) for item in value.reshape(-1)]
        return [name for name in names if name]
    text = as_text(value)
    if not text:
        return []
    for separator in (":", ","):
        if separator in text:
            return [part.strip() for part in text.split(separator) if part.strip()]
    return [text]


def describe_type(value: object) -> str:
    """A short description of a value's type for warnings, e.g. ``float64[3]``."""
    if isinstance(value, np.ndarray):
        return f"{value.dtype}{list(value.shape)}"
    return type(value).__name__
