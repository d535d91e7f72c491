"""What the extractor tells about one NeXus file, as a JSON-serialisable dataclass."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

EXTRACTOR_VERSION = "1.0.0"


@dataclass
class DatasetSummary:
    """Structure and small values of a NeXus file; never bulk data.

    Paths are absolute inside the file ("/entry/data/data"). ``groups`` maps a group path to its
    NX class ("" when it has none); ``fields`` maps a field path to ``{shape, dtype, units?}``.
    ``truncated`` is true when the walk stopped at ``ExtractionLimits.max_nodes``. ``conformance``
    says, per declared application definition, which of its required items the file lacks.
    """

    path: str
    file_size: int
    sha256: str | None = None
    extractor_version: str = EXTRACTOR_VERSION
    entries: list[str] = field(default_factory=list)
    groups: dict[str, str] = field(default_factory=dict)
    definitions: list[dict] = field(default_factory=list)
    title: str | None = None
    experiment_identifier: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    instruments: list[str] = field(default_factory=list)
    source: dict = field(default_factory=dict)
    facility: str | None = None
    sample: dict = field(default_factory=dict)
    parameters: list[dict] = field(default_factory=list)
    detectors: list[str] = field(default_factory=list)
    default_plot: dict | None = None
    fields: dict[str, dict] = field(default_factory=dict)
    external_links: list[dict] = field(default_factory=list)
    soft_links: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    truncated: bool = False
    # Filled by the datasets app from the recorded NXDL requirements (datasets.conformance);
    # the extractor itself reads only the file and leaves it empty.
    conformance: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        """A plain dict of JSON types (lists, dicts, strings, numbers, None)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> DatasetSummary:
        """Rebuild a summary from :meth:`to_dict` output; unknown keys are ignored."""
        known = {item.name for item in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})

    @property
    def definition_names(self) -> list[str]:
        """The application definition names, in file order, without repeats."""
        return list(dict.fromkeys(item["name"] for item in self.definitions))

    def class_paths(self) -> set[str]:
        """NX class chains of every classed group, such as "NXentry/NXinstrument/NXdetector".

        Groups without an NX class are left out of the chains of their children.
        """
        chains = set()
        for path in self.groups:
            chain = self._class_chain(path)
            if chain:
                chains.add("/".join(chain))
        return chains

    def _class_chain(self, path: str) -> list[str]:
        parts = path.strip("/").split("/")
        chain = []
        for index in range(1, len(parts) + 1):
            nx_class = self.groups.get("/" + "/".join(parts[:index]))
            if nx_class:
                chain.append(nx_class)
        return chain if self.groups.get(path) else []
