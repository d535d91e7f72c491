"""The one exception the NeXus extractor raises for files it cannot or will not read."""


class NexusError(Exception):
    """A file is not readable NeXus/HDF5, or reading it would exceed a configured limit.

    ``reason`` is one clear line for people (CLI, API); ``path`` is the file concerned.
    """

    def __init__(self, reason: str, path: str = "") -> None:
        self.reason = reason
        self.path = str(path)
        super().__init__(f"{self.path}: {reason}" if self.path else reason)
