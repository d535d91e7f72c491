"""Views of the hierarchy built from a few queries: paths to the root and nested trees."""

from __future__ import annotations

from collections import deque

from ontologies.models import Term, TermClosure

MAX_TREE_DEPTH = 20


def path_to_root(term: Term) -> list[Term]:
    """The shortest chain of terms from ``term`` up to a root (a term without parents).

    Two queries: the ancestors (through the closure) and the parent edges among them.
    """
    ancestor_ids = TermClosure.objects.filter(descendant=term).values_list("ancestor_id", flat=True)
    ancestors = {t.pk: t for t in Term.objects.filter(pk__in=list(ancestor_ids))}
    parents_of: dict[int, list[int]] = {pk: [] for pk in ancestors}
    for child_id, parent_id in Term.parents.through.objects.filter(
        from_term_id__in=list(ancestors)
    ).values_list("from_term_id", "to_term_id"):
        parents_of[child_id].append(parent_id)
    previous: dict[int, int | None] = {term.pk: None}
    queue = deque([term.pk])
    while queue:
        node = queue.popleft()
        if not parents_of.get(node):
            chain = []
            while node is not None:
                chain.append(ancestors[node])
                node = previous[node]
            return list(reversed(chain))
        for parent in sorted(parents_of[node], key=lambda pk: ancestors[pk].label):
            if parent not in previous:
                previous[parent] = node
                queue.append(parent)
    return [term]


def build_tree(terms: dict[int, Term], roots: list[int], depth: int) -> list[dict]:
    """Nested ``{"id", "iri", "label", counts..., "children": [...]}`` below ``roots``.

    ``terms`` must hold every term of the tree with its ``child_ids`` attribute set. A term with
    several parents appears under each of them.
    """

    def node(pk: int, level: int) -> dict:
        term = terms[pk]
        children = [c for c in term.child_ids if c in terms]
        item = {
            "id": term.pk,
            "iri": term.iri,
            "label": term.label,
            "counts": term.counts,
            "child_count": len(children),
        }
        if level < depth:
            ordered = sorted(children, key=lambda c: terms[c].label.lower())
            item["children"] = [node(child, level + 1) for child in ordered]
        return item

    return [node(pk, 1) for pk in sorted(roots, key=lambda pk: terms[pk].label.lower())]
