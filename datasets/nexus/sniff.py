"""Say what a file is before HDF5 tries to open it, so the reason for a refusal is clear."""

from __future__ import annotations

from pathlib import Path

from .errors import NexusError

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
HDF4_SIGNATURE = b"\x0e\x03\x13\x01"
# HDF5 looks for its signature at 0, 512, 1024, 2048, ... (after a user block).
SIGNATURE_OFFSETS = (0, *(512 << shift for shift in range(12)))


def check_hdf5(path: Path) -> int:
    """Return the file size when ``path`` is an HDF5 file; raise :class:`NexusError` otherwise."""
    if not path.exists():
        raise NexusError("no such file", path)
    if not path.is_file():
        raise NexusError("not a regular file", path)
    size = path.stat().st_size
    if size == 0:
        raise NexusError("empty file (0 bytes)", path)
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
            if _has_signature(handle, size):
                return size
    except OSError as exc:
        raise NexusError(f"cannot read file: {exc.strerror or exc}", path) from exc
    raise NexusError(_describe_non_hdf5(head), path)


def _has_signature(handle, size: int) -> bool:
    for offset in SIGNATURE_OFFSETS:
        if offset + len(HDF5_SIGNATURE) > size:
            return False
        handle.seek(offset)
        if handle.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
            return True
    return False


def _describe_non_hdf5(head: bytes) -> str:
    if head.startswith(HDF4_SIGNATURE):
        return "HDF4 file: only HDF5 NeXus files are supported (convert it with nxconvert)"
    if head.lstrip().startswith(b"<"):
        return "XML/text file, not HDF5 (NeXus XML is not supported)"
    if b"\x00" in head:
        return "not an HDF5 file (no HDF5 signature)"
    return "text file, not HDF5"
