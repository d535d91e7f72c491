"""What a recommendation is asked for: techniques, the dataset's structure, a facility, text.

A :class:`RecommendationQuery` is built from a stored Dataset, a NeXus DatasetSummary (or its
dict), a PaNOSC dataset dict, or a plain list of technique IRIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from datasets.models import Dataset
from datasets.nexus.summary import DatasetSummary
from ontologies.models import Term

NO_TECHNIQUE_REASON = "No technique was given and none could be inferred."


@dataclass
class RecommendationQuery:
    """A request for recommendations.

    ``techniques`` maps technique IRIs (or short ids) to a confidence; ``summary`` is the NeXus
    summary used to check required paths (``None``: compatibility cannot be checked).
    """

    techniques: dict[str, float] = field(default_factory=dict)
    summary: DatasetSummary | None = None
    facility: str | None = None
    text: str = ""
    unknown_reason: str = ""
    label: str = ""

    @classmethod
    def from_techniques(cls, iris: list[str], **extra) -> RecommendationQuery:
        """A query naming techniques by IRI (or short id such as ``PaNET01188``)."""
        return cls(techniques={str(iri): 1.0 for iri in iris}, **extra)

    @classmethod
    def from_summary(cls, summary: DatasetSummary | dict, **extra) -> RecommendationQuery:
        """A query from a NeXus summary: techniques inferred, with the reason when none."""
        from datasets.services import infer

        if isinstance(summary, dict):
            summary = DatasetSummary.from_dict(summary)
        inferred, reason = infer(summary)
        extra.setdefault("facility", None)
        return cls(
            techniques=_confidences(inferred),
            summary=summary,
            text=" ".join(filter(None, [summary.title or "", *summary.definition_names])),
            unknown_reason="" if inferred else (reason or NO_TECHNIQUE_REASON),
            label=summary.path,
            **extra,
        )

    @classmethod
    def from_dataset(cls, dataset: Dataset, **extra) -> RecommendationQuery:
        """A query from a stored dataset: its techniques (inferred ones with confidence)."""
        techniques = _confidences(dataset.inferred_techniques or [])
        for iri in dataset.techniques.values_list("iri", flat=True):
            techniques.setdefault(iri, 1.0)
        summary = DatasetSummary.from_dict(dataset.summary) if dataset.summary else None
        reason = dataset.technique_unknown_reason or NO_TECHNIQUE_REASON
        return cls(
            techniques=techniques,
            summary=summary,
            text=dataset.title,
            unknown_reason="" if techniques else reason,
            label=dataset.pid,
            **extra,
        )

    @classmethod
    def from_panosc(cls, data: dict[str, Any], **extra) -> RecommendationQuery:
        """A query from a PaNOSC dataset: ``techniques`` as ``[{pid}]`` or ``[{name}]``."""
        iris, unknown = [], []
        for item in data.get("techniques") or []:
            item = item if isinstance(item, dict) else {"pid": item}
            iri = item.get("pid") or _iri_by_name(item.get("name") or "")
            (iris if iri else unknown).append(iri or item.get("name") or "")
        reason = ""
        if not iris:
            reason = (
                f"No known technique among {', '.join(map(repr, unknown))}."
                if unknown
                else "The dataset lists no techniques."
            )
        return cls(
            techniques={iri: 1.0 for iri in iris},
            text=str(data.get("title") or ""),
            unknown_reason=reason,
            label=str(data.get("pid") or ""),
            **extra,
        )


def _confidences(inferred: list[dict]) -> dict[str, float]:
    """``{iri: confidence}`` of inferred techniques (confidence 1.0 when absent)."""
    result: dict[str, float] = {}
    for item in inferred:
        if item.get("iri"):
            confidence = float(item.get("confidence") or 1.0)
            result[item["iri"]] = max(confidence, result.get(item["iri"], 0.0))
    return result


def _iri_by_name(name: str) -> str | None:
    """The IRI of the term whose label or synonym is ``name`` (case-insensitive)."""
    name = name.strip().lower()
    if not name:
        return None
    term = Term.objects.filter(label__iexact=name).first()
    if term is None:
        for candidate in Term.objects.filter(search_text__icontains=name):
            if name in candidate.search_text.split("\n"):
                return candidate.iri
    return term.iri if term else None
