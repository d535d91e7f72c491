"""Receiving uploaded NeXus files: the size limit, a temporary copy that is always deleted, and
keeping a file only when asked.

The API (dataset extraction, recommendations for a file) and the portal's upload page all take
files through here, so the limit (``settings.UPLOAD_MAX_BYTES``) holds the same everywhere.
"""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from rest_framework import status

from config.api.errors import DomainError
from datasets.choices import DatasetOrigin
from datasets.models import Dataset
from datasets.services import file_sha256, register_dataset, uploads_dir

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


def store_upload(temporary: Path, sha256: str) -> Path:
    """Keep an uploaded file under ``MEDIA_ROOT/datasets/`` named by its checksum."""
    target = uploads_dir() / f"{sha256}.nxs"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        shutil.copyfile(temporary, target)
    return target


@dataclass
class StoredUpload:
    """The dataset an upload was registered as: new or reused, and whether its file was written
    now (so that a caller undoing the registration knows to delete it)."""

    dataset: Dataset
    created: bool
    file_written: bool = False

    def discard(self) -> None:
        """Delete the file this upload wrote (the caller rolled the registration back)."""
        if self.file_written:
            Path(self.dataset.source_path).unlink(missing_ok=True)


def register_upload(temporary: Path, owner, is_public: bool = False) -> StoredUpload:
    """Keep an uploaded file and register it as a dataset of ``owner``.

    A dataset with the same content (sha256) that ``owner`` may see is reused and nothing is
    written. A file kept by someone else's private dataset gets a dataset of its own.
    """
    sha256 = file_sha256(temporary)
    same = Dataset.objects.visible_to(owner).filter(source_sha256=sha256).order_by("pk").first()
    if same is not None:
        return StoredUpload(same, created=False)
    written = not (uploads_dir() / f"{sha256}.nxs").exists()
    stored = store_upload(temporary, sha256).resolve()
    taken = Dataset.objects.filter(source_path=str(stored)).exists()
    pid = f"upload:{sha256[:20]}" + (f"-{owner.pk}" if taken else "")
    try:
        with transaction.atomic():
            registration = register_dataset(
                stored, pid=pid, owner=owner, is_public=is_public, origin=DatasetOrigin.UPLOAD
            )
    except BaseException:
        if written:
            stored.unlink(missing_ok=True)
        raise
    return StoredUpload(registration.dataset, created=True, file_written=written)
