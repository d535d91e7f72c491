"""Which experimental techniques (PaNET terms) a NeXus summary points to, and why.

Application definitions come first: their names are looked up in the definition → technique
mapping (``ontologies.NexusDefinitionMapping``). Only when no definition maps do structural
rules look at NX classes, field names and the source probe; their guesses carry lower confidence
(at most :data:`STRUCTURE_CONFIDENCE`). When nothing applies the result is empty, with a reason.
Each structural rule (:mod:`datasets.inference_rules`) names the paths that led to its guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from datasets.inference_rules import STRUCTURE_CONFIDENCE, structural_techniques
from datasets.nexus import DatasetSummary

__all__ = [
    "STRUCTURE_CONFIDENCE",
    "InferenceResult",
    "infer_techniques",
    "mapped_techniques",
    "structural_techniques",
]

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
