"""Which experimental techniques (PaNET terms) a NeXus summary points to, and why.

Application definitions come first: their names are looked up in the definition → technique
mapping (``ontologies.NexusDefinitionMapping``). A definition may serve several probes (NXsas
maps to SAXS and SANS): a mapped term that the ontology files under another probe's branch
than the file's source probe (photon vs neutron vs muon ...) is set aside, and the terms that
agree with the probe cite it as evidence. A definition whose every term is of another probe
keeps them all: the definition names the technique, the probe only picks among its terms. Only when no definition maps do structural
rules look at NX classes, field names and the source probe; their guesses carry lower confidence
(at most :data:`STRUCTURE_CONFIDENCE`). When nothing applies the result is empty, with a reason.
Each structural rule (:mod:`datasets.inference_rules`) names the paths that led to its guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from datasets.inference_rules import STRUCTURE_CONFIDENCE, source_probe, structural_techniques
from datasets.nexus import DatasetSummary

__all__ = [
    "STRUCTURE_CONFIDENCE",
    "InferenceResult",
    "infer_techniques",
    "mapped_techniques",
    "structural_techniques",
]

DefinitionLookup = Callable[[str], list[dict]]
PANET = "http://purl.org/pan-science/PaNET/"
# The probe branches of PaNET ("defined by experimental probe"), by the probes a source states.
PROBE_BRANCHES = {
    PANET + "PaNET00100": ("x-ray", "ultraviolet", "visible light", "infrared"),  # photon
    PANET + "PaNET00101": ("neutron",),
    PANET + "PaNET00102": ("muon",),
    PANET + "PaNET00107": ("positron",),
}


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
    """``[{iri, label, confidence, probes}]`` that the database maps an NXDL name to;
    ``probes`` are those whose PaNET branch holds the term (empty: a term of any probe)."""
    from ontologies.models import NexusDefinitionMapping, TermClosure

    rows = list(
        NexusDefinitionMapping.objects.filter(
            definition=definition, term__obsolete=False
        ).select_related("term")
    )
    branches = TermClosure.objects.filter(
        descendant_id__in=[row.term_id for row in rows], ancestor__iri__in=PROBE_BRANCHES
    ).values_list("descendant_id", "ancestor__iri")
    probes: dict[int, set[str]] = {}
    for term_id, branch in branches:
        probes.setdefault(term_id, set()).update(PROBE_BRANCHES[branch])
    return [
        {
            "iri": row.term.iri,
            "label": row.term.label,
            "confidence": row.confidence,
            "probes": sorted(probes.get(row.term_id, ())),
        }
        for row in rows
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
    probe, probe_path, probe_reason = source_probe(summary.source or {})
    found = []
    for definition in summary.definitions:
        mapped_terms = lookup(definition["name"])
        other = [t for t in mapped_terms if probe and t.get("probes") and probe not in t["probes"]]
        if len(other) == len(mapped_terms):
            other = []  # the probe picks among a definition's techniques, never vetoes it
        for mapped in mapped_terms:
            if mapped in other:
                continue  # a technique of another probe than the file's source delivers
            term = {key: value for key, value in mapped.items() if key != "probes"}
            probes = mapped.get("probes") or ()
            reason = f"application definition {definition['name']} maps to {term['label']}"
            evidence = [{"path": definition["path"], "reason": reason}]
            if probe and probe in probes:
                evidence.append({"path": probe_path, "reason": f"{probe_reason} agrees"})
            found.append({**term, "source": "definition", "evidence": evidence})
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
