"""NeXus metadata extraction: structure and small values of NeXus/HDF5 files, safely.

``extract(path, limits)`` returns a :class:`DatasetSummary`; files that are not readable
NeXus/HDF5 raise :class:`NexusError` with a one-line reason.
"""

from .errors import NexusError
from .extractor import extract, file_sha256
from .limits import ExtractionLimits
from .requirements import check_requirements, satisfies
from .summary import EXTRACTOR_VERSION, DatasetSummary

__all__ = [
    "EXTRACTOR_VERSION",
    "DatasetSummary",
    "ExtractionLimits",
    "NexusError",
    "check_requirements",
    "extract",
    "file_sha256",
    "satisfies",
]
