"""What a recommendation is asked for: techniques, the dataset's structure, a facility, text.

A :class:`RecommendationQuery` is built from a stored Dataset, a NeXus DatasetSummary (or its
dict), a PaNOSC dataset dict, or a plain list of technique IRIs. Built from a dataset, it
knows where the data lives (``data_facility``): results say whether they are offered there,
without filtering on it (``facility`` is the explicit filter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from datasets.models import Dataset
from datasets.nexus.summary import DatasetSummary
from ontologies.models import Term
from registry.models import Facility

NO_TECHNIQUE_REASON = "No technique was given and none could be inferred."


@dataclass
class RecommendationQuery:
    """A request for recommendations.

    ``techniques`` maps technique IRIs (or short ids) to a confidence; ``summary`` is the NeXus
    summary used to check required paths (``None``: compatibility cannot be checked).
    ``data_facility`` is the slug of the registry facility where the data lives (``None`` when
    unknown, or named ``data_facility_name`` but not in the registry).
    """

    techniques: dict[str, float] = field(default_factory=dict)
    summary: DatasetSummary | None = None
    facility: str | None = None
    data_facility: str | None = None
    data_facility_name: str = ""
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
        extra = {**_data_facility("", _summary_facility(summary)), **extra}
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
        extra = {**_data_facility(dataset.facility_slug, dataset.facility_name), **extra}
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
        """A query from a PaNOSC dataset: ``techniques`` as ``[{pid}]`` or ``[{name}]``; the
        facility where the data lives from ``instrument.facility``."""
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
        instrument = data.get("instrument")
        facility = instrument.get("facility") if isinstance(instrument, dict) else ""
        extra = {**_data_facility("", str(facility or "")), **extra}
        return cls(
            techniques={iri: 1.0 for iri in iris},
            text=str(data.get("title") or ""),
            unknown_reason=reason,
            label=str(data.get("pid") or ""),
            **extra,
        )


def _data_facility(slug: str, name: str) -> dict[str, Any]:
    """``data_facility`` and ``data_facility_name`` of the facility a dataset names.

    The registry facility with that slug, else the one whose name, short name or slug is
    ``name`` (case-insensitive); a facility the registry does not know keeps its name only.
    """
    slug, name = (slug or "").strip(), (name or "").strip()
    facility = Facility.objects.filter(slug=slug).first() if slug else None
    if facility is None and name:
        facility = (
            Facility.objects.filter(
                Q(name__iexact=name) | Q(short_name__iexact=name) | Q(slug__iexact=name)
            )
            .order_by("pk")
            .first()
        )
    if facility is None:
        return {"data_facility": None, "data_facility_name": name or slug}
    return {"data_facility": facility.slug, "data_facility_name": facility.name}


def _summary_facility(summary: DatasetSummary) -> str:
    """The facility a NeXus summary names (its facility, else its source's name)."""
    source = summary.source if isinstance(summary.source, dict) else {}
    return str(summary.facility or source.get("name") or "")


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
