"""Database side of recommending, shared by both backends: query facts, candidates, results.

Backends differ in how they find and order candidates (the embedded one reads their facts from
the database here, the Elasticsearch one from its documents); the query's facts, the scoring
(:mod:`recommender.scoring`), the compatibility check, the versions shown and the explanation
are the same for both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F, Q

from datasets.nexus.requirements import check_requirements
from recommender.hierarchy_cache import TermFact, hierarchy
from recommender.query import RecommendationQuery
from recommender.scoring import CandidateFacts, QueryFacts, Scored, tokenize
from registry.choices import ProcedureStatus, VersionStatus
from registry.models import Procedure, ProcedureVersion

# The words of a query text that text similarity compares (the first, in alphabetical order):
# both backends use the same ones, and each is one clause of the Elasticsearch ranking query,
# whose clause count the cluster caps (8192 by default).
MAX_QUERY_WORDS = 200


def resolve_techniques(keys: Iterable[str]) -> tuple[dict[str, TermFact], list[str]]:
    """The terms (pk, IRI, label) named by IRIs or short ids, and the keys that name no term.

    Read through the per-process :data:`recommender.hierarchy_cache.hierarchy`: one query (the
    revision token) while the stored terms are unchanged.
    """
    hierarchy.current()
    keys = [str(key).strip() for key in keys if str(key).strip()]
    found, unknown = {}, []
    for key, term in hierarchy.resolve(keys).items():
        if term is None:
            unknown.append(key)
        else:
            found[key] = term
    return found, unknown


def query_facts(query: RecommendationQuery) -> tuple[QueryFacts, dict[str, str], list[str]]:
    """The scoring facts of a query, labels of the IRIs it may cite, and the unknown keys.

    The query's terms and the closure links around them come from the per-process
    :data:`recommender.hierarchy_cache.hierarchy`: one query (the revision token) while the
    stored hierarchy is unchanged, else also the terms and one closure query.
    """
    found, unknown = resolve_techniques(query.techniques)
    weights: dict[int, float] = {}
    iris, labels = {}, {}
    for key, term in found.items():
        weights[term.pk] = max(weights.get(term.pk, 0.0), query.techniques[key])
        iris[term.pk] = term.iri
        labels[term.iri] = term.label
    ancestors: dict[int, dict[int, int]] = defaultdict(dict)
    descendants: dict[int, dict[int, int]] = defaultdict(dict)
    for own, links in hierarchy.links_of(weights).items():
        for link in links:
            (ancestors if link.up else descendants)[own][link.other.pk] = link.depth
            iris[link.other.pk] = link.other.iri
            labels[link.other.iri] = link.other.label
    facts = QueryFacts(
        techniques=weights,
        ancestors=dict(ancestors),
        descendants=dict(descendants),
        iris=iris,
        tokens=frozenset(sorted(tokenize(query.text))[:MAX_QUERY_WORDS]),
    )
    return facts, labels, unknown


def related_term_ids(facts: QueryFacts) -> set[int]:
    """The query techniques with every ancestor and descendant."""
    return set(facts.techniques).union(*facts.ancestors.values(), *facts.descendants.values())


def recommendable_versions(facility: str | None = None):
    """Published versions of procedures that are not deprecated (at ``facility`` if given).

    A procedure that lists no facility is available everywhere.
    """
    versions = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).exclude(
        procedure__status=ProcedureStatus.DEPRECATED
    )
    if facility:
        versions = versions.filter(
            Q(procedure__facilities__slug=facility) | Q(procedure__facilities__isnull=True)
        )
    return versions


# What scoring needs of a candidate version, read as plain values in one query.
CANDIDATE_FIELDS = (
    "pk",
    "procedure_id",
    "published_at",
    "procedure__slug",
    "procedure__name",
    "procedure__summary",
    "procedure__keywords",
    "procedure__successful_runs",
    "required_nexus",
)


def latest_rows(versions, fields: tuple[str, ...] = CANDIDATE_FIELDS) -> list[tuple]:
    """The latest version of each procedure among ``versions``, as tuples of ``fields`` (which
    start with ``pk`` and ``procedure_id``).

    Latest means the most recent ``published_at`` (a version without one is the oldest), then
    the highest primary key; the database orders, so ``fields`` need not hold the date. Rows
    repeated by joins count once.
    """
    ordered = versions.order_by(
        "procedure_id", F("published_at").desc(nulls_last=True), "-pk"
    ).values_list(*fields)
    latest: dict[int, tuple] = {}
    for row in ordered:
        latest.setdefault(row[1], row)  # the first row of each procedure is its latest
    return list(latest.values())


def candidate_rows(procedure_ids: Iterable[int], facility: str | None = None) -> list[tuple]:
    """Rows of the latest recommendable version of each of ``procedure_ids``."""
    versions = recommendable_versions(facility).filter(procedure_id__in=list(procedure_ids))
    return latest_rows(versions)


def latest_versions(procedure_ids: Iterable[int], facility: str | None = None):
    """The latest published version of each procedure, with its procedure loaded."""
    ids = [row[0] for row in candidate_rows(procedure_ids, facility)]
    return list(ProcedureVersion.objects.filter(pk__in=ids).select_related("procedure"))


def procedure_tokens(
    name: str, summary: str, keywords: Iterable[str] | None, technique_texts: Iterable[str]
) -> frozenset[str]:
    """The words text similarity compares: a procedure's name, summary, keywords and the
    search text (label, synonyms) of its own techniques. The index stores the same words."""
    return tokenize(name, summary, " ".join(keywords or []), *technique_texts)


def facts_from_rows(rows: list[tuple]) -> list[CandidateFacts]:
    """The facts of candidate rows (two more queries: their techniques with their words, and
    their facilities)."""
    procedure_ids = {row[1] for row in rows}
    through = Procedure.techniques.through.objects.filter(procedure_id__in=procedure_ids)
    technique_ids: dict[int, set[int]] = defaultdict(set)
    words: dict[int, list[str]] = defaultdict(list)
    for procedure_id, term_id, text in through.values_list(
        "procedure_id", "term_id", "term__search_text"
    ):
        technique_ids[procedure_id].add(term_id)
        words[procedure_id].append(text)
    facilities: dict[int, list[str]] = defaultdict(list)
    offered = Procedure.facilities.through.objects.filter(procedure_id__in=procedure_ids)
    for procedure_id, slug in offered.values_list("procedure_id", "facility__slug"):
        facilities[procedure_id].append(slug)
    facts = []
    for pk, procedure_id, published_at, slug, name, summary, keywords, runs, required in rows:
        tokens = procedure_tokens(name, summary, keywords, words[procedure_id])
        facts.append(
            CandidateFacts(
                version_id=pk,
                technique_ids=frozenset(technique_ids[procedure_id]),
                tokens=tokens,
                successful_runs=runs,
                published_at=published_at,
                slug=slug,
                required_nexus=tuple(sorted(set(required or ()))),  # as the index holds them
                facilities=tuple(sorted(facilities[procedure_id])),
            )
        )
    return facts


def compatibility(query: RecommendationQuery, candidate: CandidateFacts) -> dict:
    """Which required NeXus items the dataset holds; ``compatible`` is None when unknown.

    ``offered_at_data_facility``: whether the procedure is offered at the facility where the
    data lives (None when that facility is unknown). A procedure that lists no facility is
    offered everywhere, as in :func:`recommendable_versions`.
    """
    required = list(candidate.required_nexus)
    offered = None
    if query.data_facility:
        offered = not candidate.facilities or query.data_facility in candidate.facilities
    if query.summary is None:
        return {
            "compatible": None if required else True,
            "present": [],
            "missing": [],
            "offered_at_data_facility": offered,
        }
    present, missing = check_requirements(query.summary, required)
    return {
        "compatible": not missing,
        "present": present,
        "missing": missing,
        "offered_at_data_facility": offered,
    }


def explain(scored: Scored, label: dict[str, str], compat: dict, data_facility: str = "") -> str:
    """A readable sentence or two saying why a version was recommended (``label`` by IRI).

    ``data_facility`` names the facility where the data lives, said when ``compat`` knows
    whether the procedure is offered there.
    """
    parts = []
    for reason in scored.reasons:
        if reason["type"] == "exact_technique":
            parts.append(f"Serves {label.get(reason['technique'], reason['technique'])} exactly")
        elif reason["type"] in ("broader_technique", "narrower_technique"):
            relation = "broader" if reason["type"] == "broader_technique" else "narrower"
            steps = reason["distance"]
            parts.append(
                f"Serves {label.get(reason['technique'], reason['technique'])}, {steps} step"
                f"{'s' if steps != 1 else ''} {relation} than "
                f"{label.get(reason['query_technique'], reason['query_technique'])}"
            )
        elif reason["type"] == "text":
            parts.append("Shares the words " + ", ".join(reason["words"]))
    if compat["compatible"] is None:
        parts.append("NeXus requirements not checked (no file structure given)")
    elif compat["missing"]:
        parts.append("Missing required NeXus items: " + ", ".join(compat["missing"]))
    elif compat["present"]:
        parts.append("All required NeXus items present")
    offered = compat.get("offered_at_data_facility")
    if offered is not None and data_facility:
        parts.append(
            f"Offered at {data_facility}, where the data lives"
            if offered
            else f"Not offered at {data_facility} (where the data lives)"
        )
    return ". ".join(parts) + "."


def load_versions(
    version_ids: Iterable[int], facility: str | None = None
) -> dict[int, ProcedureVersion]:
    """The versions shown, with their procedure, by primary key (one query); only those still
    recommendable (at ``facility`` if given), as :func:`recommendable_versions` says."""
    versions = recommendable_versions(facility).select_related("procedure")
    return versions.in_bulk(list(version_ids))
