"""Structural rules: technique guesses from NX classes, field names, the probe and instrument names.

Used by :func:`datasets.inference.infer_techniques` only when no application definition maps to a
technique. Every rule is general (it looks at what a file holds, never at file names), returns
``[]`` or guesses carrying at most :data:`STRUCTURE_CONFIDENCE`, and names the paths that led to
each guess.
"""

from __future__ import annotations

import re

from datasets.nexus import DatasetSummary

PANET = "http://purl.org/pan-science/PaNET/"
STRUCTURE_CONFIDENCE = 0.5  # the most a structural guess may claim
NAME_CONFIDENCE = 0.35  # a word in an instrument's name is weaker evidence than its parts

TERMS = {
    "PaNET01001": "neutron time of flight-based techniques",
    "PaNET01022": "diffraction-based techniques",
    "PaNET01034": "inelastic scattering-based techniques",
    "PaNET01102": "x-ray single crystal diffraction",
    "PaNET01124": "small angle scattering-based techniques",
    "PaNET01129": "tomography-based techniques",
    "PaNET01164": "macromolecular crystallography-based techniques",
    "PaNET01182": "inelastic x-ray scattering",
    "PaNET01188": "small angle x-ray scattering",
    "PaNET01189": "small angle neutron scattering",
    "PaNET01196": "x-ray absorption spectroscopy",
    "PaNET01207": "x-ray tomography-based techniques",
    "PaNET01216": "x-ray diffraction",
    "PaNET01217": "neutron diffraction",
    "PaNET01219": "scanning transmission x-ray microscopy",
    "PaNET01236": "neutron single crystal diffraction",
    "PaNET01244": "time of flight spectrometry-based techniques",
    "PaNET01245": "inelastic neutron spectroscopy",
    "PaNET01271": "microfocus x-ray scattering",
}
# Words of NXsource/type that tell the probe when NXsource/probe is missing.
SOURCE_TYPE_PROBES = (
    ("spallation", "neutron"), ("reactor", "neutron"), ("neutron", "neutron"),
    ("synchrotron", "x-ray"), ("x-ray", "x-ray"), ("free-electron laser", "x-ray"),
    ("free electron laser", "x-ray"), ("rotating anode", "x-ray"),
)  # fmt: skip
TOF_FIELDS = ("time_of_flight", "time_binning", "tof")
TOF_HOLDERS = ("NXdetector", "NXmonitor", "NXdata")
# Words that instrument names are built from; a name counts only when it splits into them all.
NAME_WORDS = {
    "diffraction": "diffraction", "diffractometer": "diffraction", "diff": "diffraction",
    "absorption": "absorption", "abs": "absorption", "xas": "absorption",
    "exafs": "absorption", "xanes": "absorption",
    "laue": "laue", "micro": "micro", "microfocus": "micro",
    "x": "", "ray": "", "xray": "", "beamline": "", "station": "", "hutch": "",
}  # fmt: skip
CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])")
NON_LETTERS = re.compile(r"[^a-z]+")


class Facts:
    """Indexes over a summary that the rules ask about."""

    def __init__(self, summary: DatasetSummary) -> None:
        self.summary = summary
        self.source_path = (summary.source or {}).get("path", "")
        self.probe, self.probe_reason = _probe(summary.source or {})
        self.by_class: dict[str, list[str]] = {}
        for path, nx_class in summary.groups.items():
            self.by_class.setdefault(nx_class, []).append(path)
        self.by_name: dict[str, list[str]] = {}
        for path in summary.fields:
            self.by_name.setdefault(path.rsplit("/", 1)[-1], []).append(path)

    def groups(self, nx_class: str) -> list[str]:
        """Paths of groups of ``nx_class``."""
        return self.by_class.get(nx_class, [])

    def fields_named(self, name: str, parent_class: str | None = None) -> list[str]:
        """Paths of fields called ``name``, optionally only inside groups of ``parent_class``."""
        paths = self.by_name.get(name, [])
        if parent_class is None:
            return paths
        return [p for p in paths if self.summary.groups.get(p.rsplit("/", 1)[0]) == parent_class]

    def probe_evidence(self) -> list[tuple[str, str]]:
        """The ``(path, reason)`` that says which probe the source delivers, if known."""
        return [(self.source_path, self.probe_reason)] if self.probe else []


def _probe(source: dict) -> tuple[str | None, str]:
    """The source's probe, from NXsource/probe or else from words of NXsource/type."""
    probe, _, reason = source_probe(source)
    return probe, reason


def source_probe(source: dict) -> tuple[str | None, str, str]:
    """``(probe, field path, reason)`` of a summary's source: from NXsource/probe, or else from
    words of NXsource/type; ``(None, "", "")`` when neither tells."""
    path = source.get("path") or ""
    if source.get("probe"):
        return source["probe"], f"{path}/probe", f"source probe {source['probe']}"
    kind = (source.get("type") or "").lower()
    for word, probe in SOURCE_TYPE_PROBES:
        if word in kind:
            return probe, f"{path}/type", f"source type '{source['type']}' delivers {probe}s"
    return None, "", ""


def guess(short_id: str, confidence: float, *evidence: tuple[str, str]) -> dict:
    """A structural technique record with its evidence ``(path, reason)`` pairs."""
    return {
        "iri": PANET + short_id,
        "label": TERMS[short_id],
        "confidence": min(confidence, STRUCTURE_CONFIDENCE),
        "source": "structure",
        "evidence": [{"path": path, "reason": reason} for path, reason in evidence if path],
    }


def by_probe(facts: Facts, x_ray: str, neutron: str, neither: str) -> tuple[str, float]:
    """The narrower term when the probe is known, with the confidence that goes with it."""
    if facts.probe == "x-ray":
        return x_ray, 0.5
    if facts.probe == "neutron":
        return neutron, 0.5
    return neither, 0.3


def tomography(facts: Facts) -> list[dict]:
    """A rotation angle and an image_key (dark/flat/projection flags) mean a tomography scan."""
    angles, keys = facts.fields_named("rotation_angle"), facts.fields_named("image_key")
    if not (angles and keys):
        return []
    term, confidence = by_probe(facts, "PaNET01207", "PaNET01129", "PaNET01129")
    return [guess(term, confidence, (angles[0], "rotation angle"), (keys[0], "image_key flags"))]


def diffraction(facts: Facts) -> list[dict]:
    """A monochromator and a detector placed at a polar (2θ) angle mean diffraction."""
    monochromators = facts.groups("NXmonochromator")
    angles = facts.fields_named("polar_angle", "NXdetector") or facts.fields_named(
        "two_theta", "NXdetector"
    )
    if not (monochromators and angles):
        return []
    term, confidence = by_probe(facts, "PaNET01216", "PaNET01217", "PaNET01022")
    evidence = [(monochromators[0], "monochromator"), (angles[0], "detector polar angle")]
    return [guess(term, confidence, *evidence, *facts.probe_evidence())]


def small_angle_scattering(facts: Facts) -> list[dict]:
    """A collimator and a detector with a beam centre mean small-angle scattering."""
    collimators = facts.groups("NXcollimator")
    centres = facts.fields_named("beam_center_x", "NXdetector")
    if not (collimators and centres):
        return []
    term, confidence = by_probe(facts, "PaNET01188", "PaNET01189", "PaNET01124")
    evidence = [(collimators[0], "collimator"), (centres[0], "detector beam centre")]
    return [guess(term, confidence, *evidence, *facts.probe_evidence())]


def stxm(facts: Facts) -> list[dict]:
    """An x-ray monochromator with sample x/y raster fields looks like an STXM scan."""
    xs, ys = facts.fields_named("sample_x"), facts.fields_named("sample_y")
    monochromators = facts.groups("NXmonochromator")
    if facts.probe != "x-ray" or not (xs and ys and monochromators):
        return []
    evidence = [(monochromators[0], "x-ray monochromator"), (xs[0], "sample x/y raster")]
    return [guess("PaNET01219", 0.4, *evidence)]


def fermi_choppers(facts: Facts) -> list[str]:
    """NXfermi_chopper groups, or NXchopper groups named as Fermi choppers."""
    return facts.groups("NXfermi_chopper") or [
        path for path in facts.groups("NXchopper") if "fermi" in path.rsplit("/", 1)[-1].lower()
    ]


def neutron_spectroscopy(facts: Facts) -> list[dict]:
    """A Fermi chopper monochromates a pulsed neutron beam: neutron spectroscopy."""
    choppers = fermi_choppers(facts)
    if not choppers or facts.probe not in (None, "neutron"):
        return []
    return [guess("PaNET01245", 0.5, (choppers[0], "Fermi chopper"), *facts.probe_evidence())]


def neutron_time_of_flight(facts: Facts) -> list[dict]:
    """Neutrons counted in time-of-flight bins; with a Fermi chopper, TOF spectrometry."""
    if facts.probe != "neutron":
        return []
    bins = [path for name in TOF_FIELDS for holder in TOF_HOLDERS
            for path in facts.fields_named(name, holder)]  # fmt: skip
    if not bins:
        return []
    evidence = [(bins[0], "time-of-flight bins"), *facts.probe_evidence()]
    found = [guess("PaNET01001", 0.45, *evidence)]
    choppers = fermi_choppers(facts)
    if choppers:
        found.append(guess("PaNET01244", 0.45, *evidence, (choppers[0], "Fermi chopper")))
    return found


def crystal_analyser(facts: Facts) -> list[dict]:
    """An analyser crystal (NXcrystal outside the monochromator) selects the final energy."""
    monochromators = tuple(path + "/" for path in facts.groups("NXmonochromator"))
    analysers = [path for path in facts.groups("NXcrystal") if not path.startswith(monochromators)]
    if not (analysers and monochromators) or facts.probe is None:
        return []
    term, confidence = by_probe(facts, "PaNET01182", "PaNET01245", "PaNET01034")
    evidence = [(analysers[0], "analyser crystal"), (monochromators[0][:-1], "monochromator")]
    return [guess(term, confidence - 0.1, *evidence, *facts.probe_evidence())]


def energy_scan(facts: Facts) -> list[dict]:
    """An x-ray monochromator energy that is scanned (more than one value) means XAS."""
    if facts.probe != "x-ray":
        return []
    for path in facts.fields_named("energy", "NXmonochromator"):
        shape = facts.summary.fields[path].get("shape") or []
        if len(shape) == 1 and shape[0] > 1:
            evidence = [(path, f"monochromator energy scanned over {shape[0]} points")]
            return [guess("PaNET01196", 0.4, *evidence, *facts.probe_evidence())]
    return []


def macromolecular_crystallography(facts: Facts) -> list[dict]:
    """NXpdb groups hold a PDB entry (mmCIF) mapped into NeXus: a crystal structure."""
    groups = facts.groups("NXpdb")
    if not groups:
        return []
    return [guess("PaNET01164", 0.4, (groups[0], "PDB (mmCIF) categories in NXpdb groups"))]


def name_words(name: str) -> list[str] | None:
    """``name`` split into :data:`NAME_WORDS` ("microDiffraction" -> micro, diffraction),
    or None when some part of it is not such a word."""
    words = []
    for token in NON_LETTERS.split(CAMEL_BOUNDARY.sub(" ", name).lower()):
        while token:
            word = next((w for w in sorted(NAME_WORDS, key=len, reverse=True)
                         if token.startswith(w)), None)  # fmt: skip
            if word is None:
                return None
            words.append(word)
            token = token[len(word) :]
    return words


def instrument_named_for_technique(facts: Facts) -> list[dict]:
    """Instruments named for their technique ("microDiffraction", "DIFFABS") when the probe is
    x-ray or unknown; weaker than the instrument's parts, so a low confidence."""
    if facts.probe not in (None, "x-ray"):
        return []
    found = []
    for path in facts.groups("NXinstrument"):
        name = path.rsplit("/", 1)[-1]
        kinds = {NAME_WORDS[word] for word in name_words(name) or []} - {""}
        reason = f"instrument named '{name}'"
        evidence = [(path, reason), *facts.probe_evidence()]
        if "diffraction" in kinds or "laue" in kinds:
            term = "PaNET01216" if facts.probe else "PaNET01022"
            found.append(guess(term, NAME_CONFIDENCE, *evidence))
        if "laue" in kinds and facts.probe:
            found.append(guess("PaNET01102", NAME_CONFIDENCE - 0.05, *evidence))
        if "micro" in kinds and "diffraction" in kinds and facts.probe:
            found.append(guess("PaNET01271", NAME_CONFIDENCE - 0.05, *evidence))
        if "absorption" in kinds and facts.probe:
            found.append(guess("PaNET01196", NAME_CONFIDENCE, *evidence))
    return found


RULES = (
    tomography,
    diffraction,
    small_angle_scattering,
    stxm,
    neutron_spectroscopy,
    neutron_time_of_flight,
    crystal_analyser,
    energy_scan,
    macromolecular_crystallography,
    instrument_named_for_technique,
)


def structural_techniques(summary: DatasetSummary) -> list[dict]:
    """Every structural guess for ``summary`` (possibly none)."""
    facts = Facts(summary)
    found = []
    for rule in RULES:
        found.extend(rule(facts))
    return found
