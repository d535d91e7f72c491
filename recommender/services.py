"""Recommender logic that is not HTTP: answers for datasets, summaries, files; the reverse."""

from __future__ import annotations

from pathlib import Path

from config.api.errors import DomainError, ServiceUnavailableError
from datasets.models import Dataset
from datasets.nexus.requirements import check_requirements
from datasets.nexus.summary import DatasetSummary
from ontologies.services import ancestor_ids, descendant_ids
from recommender import engine
from recommender.backends import get_backend
from recommender.hierarchy_cache import hierarchy
from recommender.query import RecommendationQuery
from registry.models import Procedure

MAX_K = 50


def check_k(k: int) -> int:
    """Refuse a ``k`` outside 1..MAX_K."""
    if not 1 <= int(k) <= MAX_K:
        raise DomainError(f"k must be between 1 and {MAX_K}.", details={"k": k}, code="invalid_k")
    return int(k)


def with_fallback(backend: str | None, work, fallback: bool = True):
    """``work(backend)`` with the chosen backend, else with the embedded one when it cannot serve.

    Returns ``(result, backend used, degraded_reason)``; the reason is ``""`` when nothing
    failed. The embedded backend needs no server, so a search cluster that is down, has no
    master or is overloaded makes answers degraded, never errors. With ``fallback=False`` (to
    measure one backend) its ServiceUnavailableError is raised instead.
    """
    chosen = get_backend(backend)
    try:
        return work(chosen), chosen, ""
    except ServiceUnavailableError as exc:
        if chosen.name == "embedded" or not fallback:
            raise
        fallback = get_backend("embedded")
        reason = (
            f"{chosen.name} backend unavailable, answered by the {fallback.name} backend: {exc}"
        )
        return work(fallback), fallback, reason


def recommend(
    query: RecommendationQuery,
    k: int = 5,
    facility: str | None = None,
    include_incompatible: bool = False,
    backend: str | None = None,
    fallback: bool = True,
) -> dict:
    """The answer to a recommendation request: techniques understood, unknown ones, results.

    ``facility`` filters (only procedures offered there); the facility where the data lives
    (``query.data_facility``) does not: it is reported, per result, as offered there or not.

    ``degraded`` is true (with ``degraded_reason``) when the configured backend could not serve
    and the embedded backend answered instead; ``fallback=False`` raises instead.

    The stored hierarchy's revision is read once for the whole answer.
    """
    k = check_k(k)
    with hierarchy.one_revision():
        return _answer(query, k, facility, include_incompatible, backend, fallback)


def _answer(query, k, facility, include_incompatible, backend, fallback) -> dict:
    """:func:`recommend`'s answer, computed within one hierarchy revision."""
    found, unknown = engine.resolve_techniques(query.techniques)
    filters = {"facility": facility, "include_incompatible": include_incompatible}
    results, engine_backend, degraded_reason = with_fallback(
        backend, lambda chosen: chosen.recommend(query, k, filters), fallback
    )
    no_fit = ""
    if not results and found and query.summary is not None and not include_incompatible:
        unfit, _, _ = with_fallback(
            engine_backend.name,
            lambda chosen: chosen.recommend(query, MAX_K, {**filters, "include_incompatible": True}),
            fallback,
        )  # fmt: skip
        no_fit = no_fit_reason(unfit, found)
    reason = query.unknown_reason
    if not found:
        reason = reason or (
            "None of the techniques is in the ontology: " + ", ".join(unknown)
            if unknown
            else "No technique was given."
        )
    return {
        "query": {
            "label": query.label,
            "techniques": [
                {"iri": t.iri, "label": t.label, "confidence": query.techniques[key]}
                for key, t in found.items()
            ],
            "unknown_techniques": unknown,
            "technique_status": "known" if found else "unknown",
            "technique_unknown_reason": "" if found else reason,
            "compatibility_checked": query.summary is not None,
            "data_facility": (
                {"slug": query.data_facility, "name": query.data_facility_name}
                if query.data_facility_name
                else None
            ),
            "no_fit_reason": no_fit,
        },
        "engine_version": engine_backend.engine_version,
        "degraded": bool(degraded_reason),
        "degraded_reason": degraded_reason,
        "count": len(results),
        "results": [item.as_dict() for item in results],
    }


def no_fit_reason(unfit: list, found: dict) -> str:
    """Why no procedure fits a dataset whose techniques are known: how many serve them and
    which NeXus items they need that the dataset lacks ("" when none serves them at all)."""
    incompatible = [
        item
        for item in unfit
        if item.compatibility.get("compatible") is False
        and any(reason["type"] != "text" for reason in item.reasons)
    ]
    labels = ", ".join(sorted(term.label for term in found.values()))
    if not incompatible:
        return f"No published procedure serves {labels}."
    missing = sorted({path for item in incompatible for path in item.compatibility["missing"]})
    count = len(incompatible)
    serve = "procedure serves" if count == 1 else "procedures serve"
    return (
        f"{count} {serve} {labels} but need NeXus items the dataset lacks: "
        + ", ".join(missing)
        + "."
    )


def recommend_for_file(path: str | Path, **options) -> dict:
    """Extract a NeXus file's metadata (never its bulk data) and recommend for it."""
    from datasets.services import extract_summary

    try:
        from datasets.nexus import NexusError
    except ImportError:  # the extractor package is not there yet
        NexusError = OSError  # noqa: N806
    try:
        summary = extract_summary(Path(path))
    except (NexusError, OSError) as exc:
        raise DomainError(f"Not a readable NeXus file: {exc}", code="invalid_nexus") from exc
    return recommend(RecommendationQuery.from_summary(summary), **options)


def datasets_for_procedure(procedure: Procedure, user=None, include_incompatible: bool = False):
    """Datasets ``procedure`` fits: a related technique and, unless told, its NeXus needs met.

    Returns ``(dataset, compatibility)`` pairs, newest dataset first. The technique filter runs
    in SQL; with ``include_incompatible`` nothing else filters, so the answer is a lazy sequence
    that counts in SQL and checks the NeXus needs of the sliced rows only (one page).
    """
    version = engine.latest_versions([procedure.pk])
    if not version:
        return []
    required = list(version[0].required_nexus or [])
    own = list(procedure.techniques.values_list("pk", flat=True))
    related = ancestor_ids(own) | descendant_ids(own)
    matching = Dataset.objects.visible_to(user).filter(techniques__in=related).values("pk")
    datasets = Dataset.objects.filter(pk__in=matching).order_by("-creation_date", "pid")
    if include_incompatible:
        return _PairsWithCompatibility(datasets, required)
    pairs = []
    for dataset in datasets.iterator():
        compat = _compatibility(dataset, required)
        if compat["compatible"] is not False:
            pairs.append((dataset, compat))
    return pairs


def _compatibility(dataset: Dataset, required: list[str]) -> dict:
    """Whether the dataset's stored summary holds ``required`` (None when it has no summary)."""
    if not dataset.summary:
        return {"compatible": None if required else True, "present": [], "missing": []}
    present, missing = check_requirements(DatasetSummary.from_dict(dataset.summary), required)
    return {"compatible": not missing, "present": present, "missing": missing}


class _PairsWithCompatibility:
    """``(dataset, compatibility)`` pairs of a queryset, computed for the rows sliced only."""

    def __init__(self, datasets, required: list[str]) -> None:
        self.datasets, self.required = datasets, required

    def count(self) -> int:
        """Number of datasets (one SQL count)."""
        return self.datasets.count()

    __len__ = count

    def __getitem__(self, index):
        rows = self.datasets[index]
        if isinstance(index, slice):
            return [(dataset, _compatibility(dataset, self.required)) for dataset in rows]
        return (rows, _compatibility(rows, self.required))

    def __iter__(self):
        for dataset in self.datasets.iterator():
            yield dataset, _compatibility(dataset, self.required)


def search(text: str, facets: dict | None = None, backend: str | None = None) -> dict:
    """Free-text search of procedures with technique, facility and kind facets.

    Like :func:`recommend`, falls back to the embedded backend (``degraded``) when the
    configured one cannot serve.
    """
    answer, _, degraded_reason = with_fallback(
        backend, lambda chosen: chosen.search(text or "", facets or {})
    )
    return {**answer, "degraded": bool(degraded_reason), "degraded_reason": degraded_reason}
