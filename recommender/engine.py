"""Database side of recommending, shared by both backends: query facts, candidates, results.

Backends differ only in how they find candidate procedures; reading their facts, scoring
(:mod:`recommender.scoring`), the compatibility check and the explanation are done here, once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import Q

from datasets.nexus.requirements import check_requirements
from ontologies.models import Term, TermClosure
from recommender.query import RecommendationQuery
from recommender.scoring import CandidateFacts, QueryFacts, Scored, rank, tokenize
from registry.choices import ProcedureStatus, VersionStatus
from registry.models import Procedure, ProcedureVersion


def resolve_techniques(keys: Iterable[str]) -> tuple[dict[str, Term], list[str]]:
    """Terms named by IRIs or short ids, and the keys that name no term."""
    keys = [str(key).strip() for key in keys if str(key).strip()]
    by_iri = {t.iri: t for t in Term.objects.filter(iri__in=keys)}
    found, unknown = {}, []
    for key in keys:
        term = by_iri.get(key)
        if term is None and "://" not in key:
            term = Term.objects.filter(iri__endswith=f"/{key}").first()
        if term is None:
            unknown.append(key)
        else:
            found[key] = term
    return found, unknown


def query_facts(query: RecommendationQuery) -> tuple[QueryFacts, dict[str, str], list[str]]:
    """The scoring facts of a query, labels of the IRIs it may cite, and the unknown keys.

    Two queries after resolving: the closure rows around the query techniques, and the IRI and
    label of every term they name (plain values, no model instances).
    """
    found, unknown = resolve_techniques(query.techniques)
    weights: dict[int, float] = {}
    for key, term in found.items():
        weights[term.pk] = max(weights.get(term.pk, 0.0), query.techniques[key])
    ancestors: dict[int, dict[int, int]] = defaultdict(dict)
    descendants: dict[int, dict[int, int]] = defaultdict(dict)
    links = TermClosure.objects.filter(
        Q(descendant_id__in=weights) | Q(ancestor_id__in=weights), depth__gt=0
    ).values_list("ancestor_id", "descendant_id", "depth")
    for ancestor, descendant, depth in links:
        if descendant in weights:
            ancestors[descendant][ancestor] = depth
        if ancestor in weights:
            descendants[ancestor][descendant] = depth
    related = set(weights).union(*ancestors.values(), *descendants.values())
    rows = Term.objects.filter(pk__in=related).values_list("pk", "iri", "label")
    iris, labels = {}, {}
    for pk, iri, label in rows:
        iris[pk] = iri
        labels[iri] = label
    facts = QueryFacts(
        techniques=weights,
        ancestors=dict(ancestors),
        descendants=dict(descendants),
        iris=iris,
        tokens=tokenize(query.text),
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
)


def latest_rows(versions) -> list[tuple]:
    """The latest version of each procedure among ``versions``, as ``CANDIDATE_FIELDS`` tuples.

    Latest means the most recent ``published_at``, then the highest primary key; rows repeated
    by joins count once.
    """
    latest: dict[int, tuple] = {}
    keys: dict[int, tuple] = {}
    for row in versions.values_list(*CANDIDATE_FIELDS):
        published_at = row[2]
        key = (published_at.timestamp() if published_at else 0.0, row[0])
        if row[1] not in keys or key > keys[row[1]]:
            keys[row[1]] = key
            latest[row[1]] = row
    return list(latest.values())


def candidate_rows(procedure_ids: Iterable[int], facility: str | None = None) -> list[tuple]:
    """Rows of the latest recommendable version of each of ``procedure_ids``."""
    versions = recommendable_versions(facility).filter(procedure_id__in=list(procedure_ids))
    return latest_rows(versions)


def latest_versions(procedure_ids: Iterable[int], facility: str | None = None):
    """The latest published version of each procedure, with its procedure loaded."""
    ids = [row[0] for row in candidate_rows(procedure_ids, facility)]
    return list(ProcedureVersion.objects.filter(pk__in=ids).select_related("procedure"))


def facts_from_rows(rows: list[tuple]) -> list[CandidateFacts]:
    """The scoring facts of candidate rows (one more query: their techniques and term words)."""
    procedure_ids = {row[1] for row in rows}
    through = Procedure.techniques.through.objects.filter(procedure_id__in=procedure_ids)
    technique_ids: dict[int, set[int]] = defaultdict(set)
    words: dict[int, list[str]] = defaultdict(list)
    for procedure_id, term_id, text in through.values_list(
        "procedure_id", "term_id", "term__search_text"
    ):
        technique_ids[procedure_id].add(term_id)
        words[procedure_id].append(text)
    facts = []
    for pk, procedure_id, published_at, slug, name, summary, keywords, runs in rows:
        tokens = tokenize(name, summary, " ".join(keywords or []), *words[procedure_id])
        facts.append(
            CandidateFacts(
                version_id=pk,
                technique_ids=frozenset(technique_ids[procedure_id]),
                tokens=tokens,
                successful_runs=runs,
                published_at=published_at,
                slug=slug,
            )
        )
    return facts


def candidate_facts(versions: list[ProcedureVersion]) -> list[CandidateFacts]:
    """The scoring facts of loaded versions (the same facts as :func:`facts_from_rows`)."""
    rows = [
        (v.pk, v.procedure_id, v.published_at, v.procedure.slug, v.procedure.name,
         v.procedure.summary, v.procedure.keywords, v.procedure.successful_runs)
        for v in versions
    ]  # fmt: skip
    return facts_from_rows(rows)


def compatibility(query: RecommendationQuery, version: ProcedureVersion) -> dict:
    """Which required NeXus items the dataset holds; ``compatible`` is None when unknown.

    ``offered_at_data_facility``: whether the procedure is offered at the facility where the
    data lives (None when that facility is unknown); see :func:`offered_at`.
    """
    required = list(version.required_nexus or [])
    offered = offered_at(version, query.data_facility)
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


def offered_at(version: ProcedureVersion, facility: str | None) -> bool | None:
    """Whether ``version``'s procedure is offered at ``facility`` (None when ``facility`` is).

    A procedure that lists no facility is offered everywhere, as in
    :func:`recommendable_versions`. Reads the procedure's facilities (prefetched by
    :func:`ranked_versions`).
    """
    if not facility:
        return None
    slugs = [f.slug for f in version.procedure.facilities.all()]
    return not slugs or facility in slugs


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


def ranked_versions(
    facts: QueryFacts, candidates: list[CandidateFacts], chunk: int = 20
) -> Iterator[tuple[Scored, ProcedureVersion]]:
    """Rank ``candidates`` with the shared scoring; yield each with its version, best first.

    Versions are loaded (with their procedure) ``chunk`` at a time, only as far as the caller
    reads, so a long candidate list costs one query per chunk actually shown.
    """
    ranked = rank(facts, candidates)
    for start in range(0, len(ranked), chunk):
        part = ranked[start : start + chunk]
        versions = (
            ProcedureVersion.objects.select_related("procedure")
            .prefetch_related("procedure__facilities")
            .in_bulk([s.candidate.version_id for s in part])
        )
        for scored in part:
            yield scored, versions[scored.candidate.version_id]
