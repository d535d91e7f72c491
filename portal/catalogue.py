"""Read-only queries behind the portal's pages: search across kinds, the technique tree."""

from collections import defaultdict

from django.db.models import Q

from datasets.models import Dataset
from ontologies.models import Term, TermClosure
from ontologies.services import descendant_ids
from recommender import services as recommender
from registry.choices import ResourceKind
from registry.models import Facility, Resource
from registry.permissions import visible_procedures

RESULT_KINDS = {"procedure": "Procedures", "technique": "Techniques", "dataset": "Datasets"}
RESULT_KINDS.update({value: f"{label}s" for value, label in ResourceKind.choices})
PAGE_SIZE = 25


def _technique_filter(technique: Term | None, relation: str = "techniques") -> Q:
    """Match items linked to ``technique`` or a narrower one."""
    if technique is None:
        return Q()
    return Q(**{f"{relation}__in": descendant_ids(technique.pk)})


def search_everything(
    user, text: str, kind: str = "", technique: Term | None = None, facility: str = ""
) -> dict:
    """Procedures, techniques, resources and datasets matching ``text``, with facet counts."""
    facets = {"technique": technique.iri if technique else "", "facility": facility}
    answer = recommender.search(text, {k: v for k, v in facets.items() if v})
    groups: dict[str, list] = {"procedure": answer["results"][:PAGE_SIZE]}
    totals = {"procedure": len(answer["results"])}  # the other kinds are counted as shown
    words = text.split()
    terms = Term.objects.filter(obsolete=False)
    resources = Resource.objects.filter(_technique_filter(technique)).distinct()
    datasets = Dataset.objects.visible_to(user).filter(_technique_filter(technique)).distinct()
    for word in words:
        terms = terms.filter(search_text__icontains=word.lower())
        resources = resources.filter(Q(title__icontains=word) | Q(description__icontains=word))
        datasets = datasets.filter(Q(title__icontains=word) | Q(pid__icontains=word))
    if facility:
        resources = resources.filter(facility__slug=facility)
        datasets = datasets.filter(facility_slug=facility)
    groups["technique"] = list(terms[:PAGE_SIZE]) if words and not facility else []
    for resource in resources[: PAGE_SIZE * 4]:
        groups.setdefault(resource.kind, []).append(resource)
    groups["dataset"] = list(datasets[:PAGE_SIZE])
    counts = {value: totals.get(value, len(items)) for value, items in groups.items() if items}
    kinds = [
        {"value": value, "label": RESULT_KINDS.get(value, value), "count": count}
        for value, count in counts.items()
    ]
    shown = {kind: groups[kind]} if kind in groups else groups
    return {
        "groups": [
            (RESULT_KINDS.get(k, k), k, items, counts[k]) for k, items in shown.items() if items
        ],
        "kinds": kinds,
        "techniques": answer["facets"].get("technique", [])[:15],
        "facilities": answer["facets"].get("facility", [])[:15],
        "facility_names": dict(Facility.objects.values_list("slug", "name")),
    }


def procedure_counts(user) -> dict[int, int]:
    """Visible procedures per term, counting those of narrower terms too."""
    direct: dict[int, set[int]] = defaultdict(set)
    through = visible_procedures(user).values_list("techniques", "pk")
    for term_id, procedure_id in through:
        if term_id is not None:
            direct[term_id].add(procedure_id)
    totals: dict[int, set[int]] = defaultdict(set)
    links = TermClosure.objects.filter(descendant_id__in=direct).values_list(
        "ancestor_id", "descendant_id"
    )
    for ancestor_id, descendant_id in links:
        totals[ancestor_id] |= direct[descendant_id]
    return {term_id: len(ids) for term_id, ids in totals.items()}


def technique_tree(user) -> list[dict]:
    """The PaNET hierarchy as nested ``{"term", "count", "children"}`` nodes, roots first."""
    terms = {t.pk: t for t in Term.objects.filter(obsolete=False)}
    children: dict[int, list[int]] = defaultdict(list)
    has_parent = set()
    for child_id, parent_id in Term.parents.through.objects.values_list(
        "from_term_id", "to_term_id"
    ):
        if child_id in terms and parent_id in terms:
            children[parent_id].append(child_id)
            has_parent.add(child_id)
    counts = procedure_counts(user)

    def node(term_id: int, seen: frozenset) -> dict:
        kids = [k for k in children.get(term_id, []) if k not in seen]
        kids.sort(key=lambda k: terms[k].label.lower())
        return {
            "term": terms[term_id],
            "count": counts.get(term_id, 0),
            "children": [node(k, seen | {k}) for k in kids],
        }

    roots = sorted((pk for pk in terms if pk not in has_parent), key=lambda k: terms[k].label)
    return [node(pk, frozenset({pk})) for pk in roots]
