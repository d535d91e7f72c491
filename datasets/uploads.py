"""Receiving uploaded NeXus files: the size limit, and a temporary copy that is always deleted.

The API (dataset extraction, recommendations for a file) and the portal's upload page all take
files through here, so the limit (``settings.UPLOAD_MAX_BYTES``) holds the same everywhere.
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from rest_framework import status

from config.api.errors import DomainError

# Multipart framing around the file: a request may be this much larger than the file itself.
MULTIPART_OVERHEAD = 64 * 1024


class PayloadTooLargeError(DomainError):
    """An upload larger than ``UPLOAD_MAX_BYTES`` (HTTP 413)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    code = "too_large"


def upload_too_large(size: int) -> PayloadTooLargeError:
    """The error for an upload of ``size`` bytes over the limit."""
    limit = settings.UPLOAD_MAX_BYTES
    return PayloadTooLargeError(
        f"The upload is {size} bytes; the limit is {limit} bytes.",
        details={"size": size, "limit": limit},
    )


def check_declared_size(content_length) -> None:
    """Refuse a request whose declared body is over the limit, before reading any of it."""
    declared = int(content_length or 0)
    if declared > settings.UPLOAD_MAX_BYTES + MULTIPART_OVERHEAD:
        raise upload_too_large(declared)


def copy_upload(upload, target: Path) -> int:
    """Copy an uploaded file to ``target`` in chunks, stopping at the size limit."""
    written = 0
    with open(target, "wb") as handle:
        for chunk in upload.chunks():
            written += len(chunk)
            if written > settings.UPLOAD_MAX_BYTES:
                raise upload_too_large(written)
            handle.write(chunk)
    return written


@contextmanager
def temporary_upload(upload, prefix: str = "upload-") -> Iterator[Path]:
    """A temporary copy of ``upload`` (size-limited), deleted when the block ends."""
    if upload.size and upload.size > settings.UPLOAD_MAX_BYTES:
        raise upload_too_large(upload.size)
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        path = Path(folder) / "upload.nxs"
        copy_upload(upload, path)
        yield path
