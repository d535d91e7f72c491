"""Which experimental techniques (PaNET terms) a NeXus summary points to, and why.

Application definitions come first: their names are looked up in the definition → technique
mapping (``ontologies.NexusDefinitionMapping``). Only when no definition maps do structural
rules look at NX classes, field names and the source probe; their guesses carry lower confidence
(at most :data:`STRUCTURE_CONFIDENCE`). When nothing applies the result is empty, with a reason.
Each structural rule names the path that led to its guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from datasets.nexus import DatasetSummary

PANET = "http://purl.org/pan-science/PaNET/"
STRUCTURE_CONFIDENCE = 0.5  # the most a structural guess may claim

DefinitionLookup = Callable[[str], list[dict]]


@dataclass
class InferenceResult:
    """Techniques with confidence and evidence; ``reason`` says why the list is empty."""

    techniques: list[dict] = field(default_factory=list)
    reason: str = ""

    def to_dict(self) -> dict:
        """A plain JSON-serialisable dict."""
        return asdict(self)

    @property
    def iris(self) -> list[str]:
        """The technique IRIs, best first."""
        return [technique["iri"] for technique in self.techniques]


def mapped_techniques(definition: str) -> list[dict]:
    """``[{iri, label, confidence}]`` that the database maps an NXDL name to."""
    from ontologies.models import NexusDefinitionMapping

    rows = NexusDefinitionMapping.objects.filter(definition=definition, term__obsolete=False)
    return [
        {"iri": row.term.iri, "label": row.term.label, "confidence": row.confidence}
        for row in rows.select_related("term")
    ]


def infer_techniques(
    summary: DatasetSummary, lookup: DefinitionLookup = mapped_techniques
) -> InferenceResult:
    """Techniques for ``summary``: from its definitions, else from its structure, else none."""
    techniques = _from_definitions(summary, lookup)
    if techniques:
        return InferenceResult(_merge(techniques))
    techniques = structural_techniques(summary)
    if techniques:
        return InferenceResult(_merge(techniques))
    return InferenceResult([], _empty_reason(summary))


def _from_definitions(summary: DatasetSummary, lookup: DefinitionLookup) -> list[dict]:
    found = []
    for definition in summary.definitions:
        for term in lookup(definition["name"]):
            reason = f"application definition {definition['name']} maps to {term['label']}"
            found.append(
                {
                    **term,
                    "source": "definition",
                    "evidence": [{"path": definition["path"], "reason": reason}],
                }
            )
    return found


def _merge(techniques: list[dict]) -> list[dict]:
    """One record per IRI (highest confidence, evidence joined), best first."""
    merged: dict[str, dict] = {}
    for technique in techniques:
        known = merged.get(technique["iri"])
        if known is None:
            merged[technique["iri"]] = {**technique, "evidence": list(technique["evidence"])}
            continue
        known["evidence"].extend(technique["evidence"])
        known["confidence"] = max(known["confidence"], technique["confidence"])
    return sorted(merged.values(), key=lambda item: -item["confidence"])


def _empty_reason(summary: DatasetSummary) -> str:
    names = summary.definition_names
    if names:
        return (
            f"application definition(s) {', '.join(names)} map to no technique, "
            "and no structural rule matched"
        )
    if not any(summary.groups.values()):
        return "no NX_class attributes: not a NeXus file, nothing to infer from"
    return "no application definition, and no structural rule matched the file's groups and fields"


# Structural rules: used only when no application definition maps to a technique.
TERMS = {
    "PaNET01022": "diffraction-based techniques",
    "PaNET01216": "x-ray diffraction",
    "PaNET01217": "neutron diffraction",
    "PaNET01129": "tomography-based techniques",
    "PaNET01207": "x-ray tomography-based techniques",
    "PaNET01124": "small angle scattering-based techniques",
    "PaNET01188": "small angle x-ray scattering",
    "PaNET01189": "small angle neutron scattering",
    "PaNET01219": "scanning transmission x-ray microscopy",
    "PaNET01245": "inelastic neutron spectroscopy",
    "PaNET01164": "macromolecular crystallography-based techniques",
}


def structural_techniques(summary: DatasetSummary) -> list[dict]:
    """Every structural guess for ``summary`` (possibly none)."""
    facts = Facts(summary)
    found = []
    for rule in RULES:
        found.extend(rule(facts))
    return found


class Facts:
    """Indexes over a summary that the rules ask about."""

    def __init__(self, summary: DatasetSummary) -> None:
        self.summary = summary
        self.probe = (summary.source or {}).get("probe")
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


def guess(short_id: str, confidence: float, *evidence: tuple[str, str]) -> dict:
    """A structural technique record with its evidence ``(path, reason)`` pairs."""
    return {
        "iri": PANET + short_id,
        "label": TERMS[short_id],
        "confidence": confidence,
        "source": "structure",
        "evidence": [{"path": path, "reason": reason} for path, reason in evidence],
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
    return [guess(term, confidence, *evidence)]


def small_angle_scattering(facts: Facts) -> list[dict]:
    """A collimator and a detector with a beam centre mean small-angle scattering."""
    collimators = facts.groups("NXcollimator")
    centres = facts.fields_named("beam_center_x", "NXdetector")
    if not (collimators and centres):
        return []
    term, confidence = by_probe(facts, "PaNET01188", "PaNET01189", "PaNET01124")
    evidence = [(collimators[0], "collimator"), (centres[0], "detector beam centre")]
    if facts.probe:
        evidence.append((facts.summary.source.get("path", ""), f"source probe {facts.probe}"))
    return [guess(term, confidence, *evidence)]


def stxm(facts: Facts) -> list[dict]:
    """An x-ray monochromator with sample x/y raster fields looks like an STXM scan."""
    xs, ys = facts.fields_named("sample_x"), facts.fields_named("sample_y")
    monochromators = facts.groups("NXmonochromator")
    if facts.probe != "x-ray" or not (xs and ys and monochromators):
        return []
    evidence = [(monochromators[0], "x-ray monochromator"), (xs[0], "sample x/y raster")]
    return [guess("PaNET01219", 0.4, *evidence)]


def neutron_spectroscopy(facts: Facts) -> list[dict]:
    """A Fermi chopper (NXfermi_chopper, or an NXchopper named so) means neutron spectroscopy."""
    choppers = facts.groups("NXfermi_chopper") or [
        path for path in facts.groups("NXchopper") if "fermi" in path.rsplit("/", 1)[-1].lower()
    ]
    if not choppers:
        return []
    return [guess("PaNET01245", 0.5, (choppers[0], "Fermi chopper"))]


def macromolecular_crystallography(facts: Facts) -> list[dict]:
    """NXpdb groups hold a PDB entry (mmCIF) mapped into NeXus: a crystal structure."""
    groups = facts.groups("NXpdb")
    if not groups:
        return []
    return [guess("PaNET01164", 0.4, (groups[0], "PDB (mmCIF) categories in NXpdb groups"))]


RULES = (
    tomography,
    diffraction,
    small_angle_scattering,
    stxm,
    neutron_spectroscopy,
    macromolecular_crystallography,
)
