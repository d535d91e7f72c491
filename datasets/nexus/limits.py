"""Bounds that keep extraction of an untrusted file cheap and finite."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractionLimits:
    """How much of a file the extractor may visit and read.

    What happens when a bound is crossed:

    - ``max_nodes``: the walk stops, the summary is marked ``truncated`` and says so in
      ``warnings`` (a partial summary of a huge file is still useful).
    - ``max_depth`` and ``max_seconds``: :class:`~datasets.nexus.errors.NexusError` naming the
      limit (a file that deep or that slow is treated as hostile).
    - ``max_attribute_bytes``: the attribute is skipped with a warning; it is never read.
    - ``max_string_length``: longer strings are cut to this many characters, with a warning.
    - ``max_value_elements``: fields with more elements are described (shape, dtype) but never
      read; only scalars and short strings are read.
    - ``checksum``: compute the SHA-256 of the whole file (streamed in chunks).
    """

    max_nodes: int = 100_000
    max_depth: int = 32
    max_attribute_bytes: int = 64 * 1024
    max_seconds: float = 10.0
    max_string_length: int = 4096
    max_value_elements: int = 1
    checksum: bool = False
