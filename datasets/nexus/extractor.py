"""``extract(path)``: read a NeXus/HDF5 file's structure and small values into a summary."""

from __future__ import annotations

import hashlib
import os
import time
import traceback
from pathlib import Path

from h5py import h5f, h5p

from .assemble import VALUE_FIELDS, Assembler
from .errors import NexusError
from .limits import ExtractionLimits
from .parameters import FIELD_NAMES
from .sniff import check_hdf5
from .summary import DatasetSummary
from .view import FileView
from .walker import Walker

WANTED_VALUES = VALUE_FIELDS | FIELD_NAMES
CHECKSUM_CHUNK = 1 << 20
# What the HDF5 library and the OS raise for damaged files. h5py also turns some HDF5 errors
# into KeyError, ValueError or TypeError: those count only when h5py raised them, so that a bug
# of ours (an unhashable key, say) surfaces as a bug instead of calling a valid file damaged.
HDF5_FAILURES = (OSError, RuntimeError)
H5PY_MAPPED_FAILURES = (KeyError, ValueError, TypeError)


def extract(path: str | Path, limits: ExtractionLimits | None = None) -> DatasetSummary:
    """Summarise the NeXus file at ``path``; raise :class:`NexusError` when it cannot.

    Reads structure, attributes and scalar or short string values only, never bulk data;
    external links are listed, not followed. See :class:`ExtractionLimits` for the bounds.
    """
    limits = limits or ExtractionLimits()
    path = Path(path)
    size = check_hdf5(path)
    summary = DatasetSummary(path=str(path), file_size=size)
    deadline = time.monotonic() + limits.max_seconds
    walk = _walk(path, limits, deadline)
    summary.warnings.extend(walk.warnings)
    summary.truncated = walk.truncated
    try:
        Assembler(FileView(walk), summary, limits, deadline).fill()
    except NexusError as exc:
        raise NexusError(exc.reason, path) from exc
    if limits.checksum:
        summary.sha256 = file_sha256(path)
    return summary


def file_sha256(path: Path) -> str:
    """SHA-256 of the file's bytes, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHECKSUM_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _walk(path: Path, limits: ExtractionLimits, deadline: float):
    try:
        file_id = _open_read_only(path)
        try:
            return Walker(limits, WANTED_VALUES, deadline).walk(file_id)
        finally:
            file_id.close()
    except NexusError as exc:
        raise NexusError(exc.reason, path) from exc
    except (*HDF5_FAILURES, *H5PY_MAPPED_FAILURES) as exc:
        if not is_hdf5_failure(exc):
            raise
        raise NexusError(_hdf5_reason(exc), path) from exc


def is_hdf5_failure(exc: BaseException) -> bool:
    """Whether ``exc`` reports a damaged file (from HDF5 or the OS) rather than a bug."""
    if isinstance(exc, HDF5_FAILURES):
        return True
    frames = traceback.extract_tb(exc.__traceback__)
    innermost = frames[-1].filename.replace("\\", "/") if frames else ""
    return isinstance(exc, H5PY_MAPPED_FAILURES) and (
        innermost.startswith("h5py/") or "/h5py/" in innermost
    )


def _open_read_only(path: Path) -> h5f.FileID:
    """Open ``path`` read-only with h5py's low-level API (cheaper than ``h5py.File``): no file
    locking, and closing the file closes every object still open in it."""
    access = h5p.create(h5p.FILE_ACCESS)
    access.set_fclose_degree(h5f.CLOSE_STRONG)
    access.set_file_locking(False, True)
    return h5f.open(os.fsencode(path), h5f.ACC_RDONLY, fapl=access)


def _hdf5_reason(exc: Exception) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "truncated" in message.lower() or "eof" in message.lower():
        return f"truncated or damaged HDF5 file ({message})"
    return f"damaged or unreadable HDF5 file ({message})"
