"""Fill a :class:`DatasetSummary` from a :class:`FileView`: the NeXus meaning of what was found."""

from __future__ import annotations

from .limits import ExtractionLimits
from .parameters import make_parameter, parameter_name
from .plot import find_default_plot
from .summary import DatasetSummary
from .values import as_text, describe_type
from .view import FileView
from .walker import TIME_CHECK_EVERY, check_deadline

DEFINITION_HOLDERS = ("NXentry", "NXsubentry")
PROBES = {
    "x-ray": "x-ray", "xray": "x-ray", "x-rays": "x-ray", "x ray": "x-ray", "photon": "x-ray",
    "neutron": "neutron", "neutrons": "neutron",
    "electron": "electron", "electrons": "electron",
    "muon": "muon", "muons": "muon", "positive muons": "muon", "negative muons": "muon",
    "ion": "ion", "ions": "ion",
    "positron": "positron", "positrons": "positron",
    "proton": "proton", "protons": "proton",
    "ultraviolet": "ultraviolet", "uv": "ultraviolet",
    "visible light": "visible light", "infrared": "infrared",
}  # fmt: skip
VALUE_FIELDS = frozenset(
    {"definition", "title", "experiment_identifier", "start_time", "end_time", "name", "probe",
     "type", "chemical_formula", "facility", "facility_name"}
)  # fmt: skip


def normalise_probe(text: str | None) -> str | None:
    """ "x-ray" | "neutron" | "electron" | "muon" | "ion" | "positron" | ..., from NXsource/probe."""
    if not text:
        return None
    key = text.strip().lower().replace("_", " ")
    return PROBES.get(key, key)


class Assembler:
    """Reads the NeXus meaning out of a walked file into a summary, by ``deadline`` (the
    walk's: ``max_seconds`` bounds the whole extraction)."""

    def __init__(
        self, view: FileView, summary: DatasetSummary, limits: ExtractionLimits, deadline: float
    ) -> None:
        self.view = view
        self.summary = summary
        self.limits = limits
        self.max_string_length = limits.max_string_length
        self.deadline = deadline
        self.steps = 0

    def tick(self) -> None:
        """Count one unit of work; every so often, refuse to go on past the deadline."""
        self.steps += 1
        if self.steps % TIME_CHECK_EVERY == 0:
            check_deadline(self.deadline, self.limits.max_seconds)

    def fill(self) -> DatasetSummary:
        """Set every summary field that comes from the file's content."""
        view, summary = self.view, self.summary
        summary.groups = dict(view.groups)
        summary.fields = {path: self._field_entry(path) for path in view.fields}
        summary.entries = [p for p in view.of_class("NXentry") if p.count("/") == 1]
        summary.definitions = self._definitions()
        self._entry_texts()
        summary.instruments = self._instruments()
        summary.source = self._source()
        summary.facility = self._first_text(
            p for p in view.fields if p.rsplit("/", 1)[-1] in ("facility", "facility_name")
        )
        summary.sample = self._sample()
        summary.parameters = self._parameters()
        summary.detectors = view.of_class("NXdetector")
        summary.default_plot = find_default_plot(view)
        summary.external_links = list(view.walk.external_links)
        summary.soft_links = dict(view.soft_links)
        self._structure_warnings()
        return summary

    def text(self, path: str) -> str | None:
        """The short string stored at a field path, cut to ``max_string_length`` with a warning."""
        node = self.view.field(path)
        text = as_text(node.value) if node is not None else None
        if text and len(text) > self.max_string_length:
            self.summary.warnings.append(f"{path}: string cut to {self.max_string_length} chars")
            text = text[: self.max_string_length]
        return text or None

    def _first_text(self, paths) -> str | None:
        return next((text for text in map(self.text, paths) if text), None)

    def _field_entry(self, path: str) -> dict:
        self.tick()
        entry = self.view.field_info(path)
        units = as_text(self.view.fields[path].attrs.get("units"))
        if units:
            entry["units"] = units[: self.max_string_length]
        return entry

    def _definitions(self) -> list[dict]:
        found = []
        for path, node in self.view.fields.items():
            self.tick()
            if not path.endswith("/definition"):
                continue
            if self.view.parent_class(path) not in DEFINITION_HOLDERS:
                continue
            name = self.text(path)
            if not name:
                shown = describe_type(node.value) if node.value is not None else node.dtype
                self.summary.warnings.append(
                    f"{path}: definition is not a short string ({shown}, shape {node.shape}); ignored"
                )
                continue
            item = {"name": name, "path": path}
            version = as_text(node.attrs.get("version"))
            if version:
                item["version"] = version
            found.append(item)
        return found

    def _entry_texts(self) -> None:
        for entry in self.summary.entries:
            for name in ("title", "experiment_identifier", "start_time", "end_time"):
                if getattr(self.summary, name) is None:
                    setattr(self.summary, name, self.text(f"{entry}/{name}"))

    def _instruments(self) -> list[str]:
        names = []
        for path in self.view.of_class("NXinstrument"):
            names.append(self.text(f"{path}/name") or path.rsplit("/", 1)[-1])
        return list(dict.fromkeys(names))

    def _source(self) -> dict:
        sources = self.view.of_class("NXsource")
        if not sources:
            return {}
        path = sources[0]
        return {
            "path": path,
            "name": self.text(f"{path}/name"),
            "type": self.text(f"{path}/type"),
            "probe": normalise_probe(self.text(f"{path}/probe")),
        }

    def _sample(self) -> dict:
        samples = self.view.of_class("NXsample")
        if not samples:
            return {}
        path = samples[0]
        return {
            "path": path,
            "name": self.text(f"{path}/name"),
            "chemical_formula": self.text(f"{path}/chemical_formula"),
        }

    def _parameters(self) -> list[dict]:
        found = []
        for path, node in self.view.fields.items():
            self.tick()
            name = parameter_name(path.rsplit("/", 1)[-1], self.view.parent_class(path))
            if name and node.value is not None:
                check_deadline(self.deadline, self.limits.max_seconds)  # units go through pint
                parameter = make_parameter(name, path, node.value, node.attrs.get("units"))
                if parameter:
                    found.append(parameter)
        return found

    def _structure_warnings(self) -> None:
        if not self.summary.truncated:  # a truncated walk has not seen every target
            for path in self.view.unresolved_soft_links():
                self.summary.warnings.append(
                    f"{path}: soft link to {self.view.soft_links[path]} does not resolve "
                    "(dangling, a loop, or outside the file)"
                )
        if not any(self.view.groups.values()):
            self.summary.warnings.append("no NX_class attribute anywhere: plain HDF5, not NeXus")
        elif not self.summary.entries:
            self.summary.warnings.append("no NXentry group at the top level")
