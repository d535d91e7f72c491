"""Database side of recommending, shared by both backends: query facts, candidates, results.

Backends differ only in how they find candidate procedures; reading their facts, scoring
(:mod:`recommender.scoring`), the compatibility check and the explanation are done here, once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

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


def query_facts(query: RecommendationQuery) -> tuple[QueryFacts, dict[int, Term], list[str]]:
    """The scoring facts of a query, its terms by id, and the technique keys it did not know."""
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
    terms = Term.objects.in_bulk(related)
    facts = QueryFacts(
        techniques=weights,
        ancestors=dict(ancestors),
        descendants=dict(descendants),
        iris={pk: term.iri for pk, term in terms.items()},
        tokens=tokenize(query.text),
    )
    return facts, terms, unknown


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


def latest_versions(procedure_ids: Iterable[int], facility: str | None = None):
    """The latest published version of each procedure, with its procedure loaded."""
    rows = recommendable_versions(facility).filter(procedure_id__in=list(procedure_ids))
    latest: dict[int, tuple] = {}
    for pk, procedure_id, published_at in rows.values_list("pk", "procedure_id", "published_at"):
        key = (published_at.timestamp() if published_at else 0.0, pk)
        if procedure_id not in latest or key > latest[procedure_id]:
            latest[procedure_id] = key
    ids = [key[1] for key in latest.values()]
    return list(ProcedureVersion.objects.filter(pk__in=ids).select_related("procedure"))


def candidate_facts(versions: list[ProcedureVersion]) -> list[CandidateFacts]:
    """The scoring facts of candidate versions (two queries, whatever their number)."""
    procedure_ids = {v.procedure_id for v in versions}
    through = Procedure.techniques.through.objects.filter(procedure_id__in=procedure_ids)
    technique_ids: dict[int, set[int]] = defaultdict(set)
    term_ids = set()
    for procedure_id, term_id in through.values_list("procedure_id", "term_id"):
        technique_ids[procedure_id].add(term_id)
        term_ids.add(term_id)
    labels = dict(Term.objects.filter(pk__in=term_ids).values_list("pk", "search_text"))
    facts = []
    for version in versions:
        procedure = version.procedure
        words = [labels.get(t, "") for t in technique_ids[procedure.pk]]
        tokens = tokenize(procedure.name, procedure.summary, " ".join(procedure.keywords), *words)
        facts.append(
            CandidateFacts(
                version_id=version.pk,
                technique_ids=frozenset(technique_ids[procedure.pk]),
                tokens=tokens,
                successful_runs=procedure.successful_runs,
                published_at=version.published_at,
                slug=procedure.slug,
            )
        )
    return facts


def compatibility(query: RecommendationQuery, version: ProcedureVersion) -> dict:
    """Which required NeXus items the dataset holds; ``compatible`` is None when unknown."""
    required = list(version.required_nexus or [])
    if query.summary is None:
        return {"compatible": None if required else True, "present": [], "missing": []}
    present, missing = check_requirements(query.summary, required)
    return {"compatible": not missing, "present": present, "missing": missing}


def explain(scored: Scored, terms: dict[int, Term], compat: dict) -> str:
    """A readable sentence or two saying why a version was recommended."""
    label = {term.iri: term.label for term in terms.values()}
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
    return ". ".join(parts) + "."


def rank_versions(
    query: RecommendationQuery, facts: QueryFacts, versions: list[ProcedureVersion]
) -> list[tuple[Scored, ProcedureVersion]]:
    """Score and sort versions with the shared scoring, keeping each version beside its score."""
    by_id = {v.pk: v for v in versions}
    return [(s, by_id[s.candidate.version_id]) for s in rank(facts, candidate_facts(versions))]
