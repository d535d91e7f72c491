"""Logic of the ontologies app that is not HTTP: term lookups, the hierarchy, loading ontologies.

Hierarchy lookups (ancestors, descendants, distances) are one query each on :class:`TermClosure`,
whatever the size of the ontology. The closure is rebuilt from the parent edges after every import,
and after the commit of edits of single terms (:func:`refresh_hierarchy`, see
:mod:`ontologies.receivers`).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Q

from config.api.errors import DomainError
from ontologies import revision
from ontologies.models import (
    DEFAULT_ONTOLOGY,
    OntologyVersion,
    Term,
    TermClosure,
    build_search_text,
)
from ontologies.signals import ontology_changed

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
SNAPSHOT_PATH = DATA_DIR / "panet.json"
BATCH_SIZE = 2000

# Reverse relations other apps add to Term, and the count annotation each one gets.
USAGE_RELATIONS = {
    "procedures": "procedure_count",
    "resources": "resource_count",
    "datasets": "dataset_count",
}
# What of a relation everyone may see: counts are shown to anonymous readers, so drafts and
# private datasets are left out (counting them would reveal that they exist).
PUBLIC_USAGE = {
    "procedures": ~Q(procedures__status="draft"),
    "datasets": Q(datasets__is_public=True),
}


@dataclass(frozen=True)
class TermRecord:
    """The facts about one term read from a source: what an import stores.

    ``definition`` is ``None`` when the source does not carry definitions (the snapshot), so an
    import from it keeps the definitions already stored.
    """

    iri: str
    label: str
    synonyms: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    obsolete: bool = False
    definition: str | None = None


@dataclass
class ImportSummary:
    """What an import changed, by IRI."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    obsoleted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    version: OntologyVersion | None = None

    def counts(self) -> dict[str, int]:
        """Number of terms added, updated, obsoleted and unchanged."""
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "obsoleted": len(self.obsoleted),
            "unchanged": len(self.unchanged),
        }


# --- lookups -------------------------------------------------------------------------------


def resolve_term(iri_or_pk: Term | int | str) -> Term:
    """Return the term named by a primary key, an IRI or a short id such as ``PaNET01188``.

    Raises :class:`DomainError` with code ``unknown_technique`` when no term matches.
    """
    if isinstance(iri_or_pk, Term):
        return iri_or_pk
    value = str(iri_or_pk).strip()
    term = None
    if isinstance(iri_or_pk, int) or value.isdigit():
        term = Term.objects.filter(pk=int(value)).first()
    elif "://" in value:
        term = Term.objects.filter(iri=value).first()
    elif value:
        term = Term.objects.filter(iri__endswith=f"/{value}").first()
    if term is None:
        raise DomainError(
            f"Unknown technique: {value!r}.", details={"technique": value}, code="unknown_technique"
        )
    return term


def _as_ids(term_ids: int | Iterable[int]) -> list[int]:
    """Accept one id or several."""
    if isinstance(term_ids, int):
        return [term_ids]
    return [int(term_id) for term_id in term_ids]


def descendant_ids(term_ids: int | Iterable[int], include_self: bool = True) -> set[int]:
    """Ids of every term below any of ``term_ids`` (and the terms themselves unless told not)."""
    links = TermClosure.objects.filter(ancestor_id__in=_as_ids(term_ids))
    if not include_self:
        links = links.filter(depth__gt=0)
    return set(links.values_list("descendant_id", flat=True))


def ancestor_ids(term_ids: int | Iterable[int], include_self: bool = True) -> set[int]:
    """Ids of every term above any of ``term_ids`` (and the terms themselves unless told not)."""
    links = TermClosure.objects.filter(descendant_id__in=_as_ids(term_ids))
    if not include_self:
        links = links.filter(depth__gt=0)
    return set(links.values_list("ancestor_id", flat=True))


def ancestor_distances(term_id: int) -> dict[int, int]:
    """Map each ancestor id of ``term_id`` (itself at 0) to its shortest distance in edges."""
    links = TermClosure.objects.filter(descendant_id=term_id)
    return dict(links.values_list("ancestor_id", "depth"))


def descendant_distances(term_id: int) -> dict[int, int]:
    """Map each descendant id of ``term_id`` (itself at 0) to its shortest distance in edges."""
    links = TermClosure.objects.filter(ancestor_id=term_id)
    return dict(links.values_list("descendant_id", "depth"))


def distance(ancestor_id: int, descendant_id: int) -> int | None:
    """Edges on the shortest path from ``ancestor_id`` down to ``descendant_id``, or ``None``."""
    link = TermClosure.objects.filter(ancestor_id=ancestor_id, descendant_id=descendant_id)
    return link.values_list("depth", flat=True).first()


def with_usage_counts(queryset):
    """Annotate terms with public counts of procedures, resources and datasets that name them.

    Only the relations that exist are counted (the apps that add them may not be installed yet);
    the others read as 0 through :func:`usage_counts`.
    """
    names = {f.name for f in Term._meta.get_fields()}
    annotations = {
        alias: Count(relation, filter=PUBLIC_USAGE.get(relation), distinct=True)
        for relation, alias in USAGE_RELATIONS.items()
        if relation in names
    }
    return queryset.annotate(**annotations) if annotations else queryset


def usage_counts(term: Term) -> dict[str, int]:
    """Counts of procedures, resources and datasets of a term annotated by ``with_usage_counts``."""
    return {relation: getattr(term, alias, 0) or 0 for relation, alias in USAGE_RELATIONS.items()}


# --- closure ---------------------------------------------------------------------------------


def find_cycle(parents_of: dict) -> list | None:
    """Return the nodes of one cycle in a ``child -> parents`` graph, or ``None`` when acyclic."""
    state: dict = {}
    for start in parents_of:
        if start in state:
            continue
        stack = [(start, iter(parents_of.get(start, ())))]
        path = [start]
        state[start] = "open"
        while stack:
            node, parents = stack[-1]
            parent = next(parents, None)
            if parent is None:
                state[node] = "done"
                stack.pop()
                path.pop()
            elif state.get(parent) == "open":
                return path[path.index(parent) :] + [parent]
            elif parent not in state:
                state[parent] = "open"
                stack.append((parent, iter(parents_of.get(parent, ()))))
                path.append(parent)
    return None


def compute_closure(parents_of: dict[int, Iterable[int]]) -> dict[int, dict[int, int]]:
    """Map each node to ``{ancestor: shortest depth}`` (itself at 0); raise on a cycle."""
    cycle = find_cycle(parents_of)
    if cycle:
        raise DomainError(
            "The hierarchy has a cycle.", details={"cycle": cycle}, code="ontology_cycle"
        )
    ancestors: dict[int, dict[int, int]] = {}

    def visit(node: int) -> dict[int, int]:
        # Iterative post-order so deep hierarchies do not hit the recursion limit.
        stack = [node]
        while stack:
            current = stack[-1]
            pending = [p for p in parents_of.get(current, ()) if p not in ancestors]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            if current in ancestors:
                continue
            found = {current: 0}
            for parent in parents_of.get(current, ()):
                for ancestor, depth in ancestors[parent].items():
                    if depth + 1 < found.get(ancestor, depth + 2):
                        found[ancestor] = depth + 1
            ancestors[current] = found
        return ancestors[node]

    for node in parents_of:
        visit(node)
    return ancestors


def rebuild_closure() -> int:
    """Rebuild :class:`TermClosure` from the parent edges of every term; return its row count.

    Several parents are supported; ``depth`` is the shortest path. A cycle raises
    :class:`DomainError` (code ``ontology_cycle``) and leaves the table unchanged.
    """
    parents_of = {pk: [] for pk in Term.objects.values_list("pk", flat=True)}
    parents_of.update(parent_edges())
    closure = compute_closure(parents_of)
    rows = [
        TermClosure(ancestor_id=ancestor, descendant_id=node, depth=depth)
        for node, found in closure.items()
        for ancestor, depth in found.items()
    ]
    with transaction.atomic():
        TermClosure.objects.all().delete()
        TermClosure.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        revision.bump(closure_rebuilt=True)
    return len(rows)


def parent_edges() -> dict[int, list[int]]:
    """Every stored term's id mapped to its parents' ids (one query)."""
    parents_of: dict[int, list[int]] = defaultdict(list)
    for child_id, parent_id in Term.parents.through.objects.values_list(
        "from_term_id", "to_term_id"
    ):
        parents_of[child_id].append(parent_id)
    return parents_of


def cycle_with_edges(edges: Iterable[tuple[int, int]]) -> list[str] | None:
    """The labels along the cycle that adding ``(child id, parent id)`` edges would close, each
    term a child of the next, or ``None`` when the hierarchy stays acyclic."""
    parents_of = parent_edges()
    for child_id, parent_id in edges:
        parents_of[child_id].append(parent_id)
    cycle = find_cycle(parents_of)
    if not cycle:
        return None
    labels = dict(Term.objects.filter(pk__in=cycle).values_list("pk", "label"))
    return [labels.get(pk, str(pk)) for pk in cycle]


def refuse_cycle(edges: Iterable[tuple[int, int]]) -> None:
    """Raise ``ontology_cycle`` when adding ``(child id, parent id)`` edges closes a cycle."""
    cycle = cycle_with_edges(edges)
    if cycle:
        raise DomainError(
            "A term cannot be below itself; these parents would make a cycle (each term a "
            "child of the next): " + " -> ".join(cycle),
            details={"cycle": cycle},
            code="ontology_cycle",
        )


def refresh_hierarchy() -> None:
    """Finish edits of single terms after their commit: rebuild the closure when it is stale,
    then announce the edited terms (``ontology_changed``, once per ontology).

    Concurrent calls do the work once (the revision row is locked). Should the rebuild fail
    (a cycle written around the checks), the notes stay and the error is logged.
    """
    try:
        with transaction.atomic():
            stale, iris = revision.take_pending()
            if stale:
                rebuild_closure()
            by_ontology: dict[str, list[str]] = defaultdict(list)
            for iri, name in Term.objects.filter(iri__in=iris).values_list("iri", "ontology"):
                by_ontology[name].append(iri)
            for name, changed in sorted(by_ontology.items()):
                ontology_changed.send(sender=Term, name=name, changed_iris=sorted(changed))
    except DomainError as exc:
        logger.error("The term hierarchy could not be refreshed: %s %s", exc, exc.details)


# --- applying an ontology -------------------------------------------------------------------


def _stored_state(ontology: str) -> tuple[dict[str, Term], dict[int, set[str]]]:
    """Terms of one ontology by IRI, and the parent IRIs of each stored term by pk."""
    terms = {term.iri: term for term in Term.objects.filter(ontology=ontology)}
    iri_of = dict(Term.objects.values_list("pk", "iri"))
    parents: dict[int, set[str]] = {}
    for child_id, parent_id in Term.parents.through.objects.values_list(
        "from_term_id", "to_term_id"
    ):
        parents.setdefault(child_id, set()).add(iri_of[parent_id])
    return terms, parents


def _differs(term: Term, record: TermRecord, stored_parents: set[str]) -> bool:
    """Whether applying ``record`` would change ``term``."""
    return (
        term.label != record.label
        or list(term.synonyms) != list(record.synonyms)
        or term.obsolete != record.obsolete
        or (record.definition is not None and term.definition != record.definition)
        or stored_parents != set(record.parents)
        or term.search_text != build_search_text(record.iri, record.label, list(record.synonyms))
    )


def _upsert_terms(records: list[TermRecord], stored: dict[str, Term], ontology: str) -> None:
    """Create new terms and update changed ones in bulk."""
    new, changed = [], []
    for record in records:
        term = stored.get(record.iri) or Term(iri=record.iri, ontology=ontology)
        term.label = record.label
        term.synonyms = list(record.synonyms)
        term.obsolete = record.obsolete
        term.ontology = ontology
        if record.definition is not None:
            term.definition = record.definition
        term.search_text = build_search_text(record.iri, record.label, list(record.synonyms))
        (changed if term.pk else new).append(term)
    Term.objects.bulk_create(new, batch_size=BATCH_SIZE)
    fields = ["label", "synonyms", "obsolete", "definition", "ontology", "search_text"]
    Term.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)


def _replace_edges(records: list[TermRecord]) -> None:
    """Make the parent edges of the records' terms exactly the records' parents."""
    pk_of = dict(Term.objects.values_list("iri", "pk"))
    child_ids = [pk_of[record.iri] for record in records]
    through = Term.parents.through
    for start in range(0, len(child_ids), BATCH_SIZE):
        through.objects.filter(from_term_id__in=child_ids[start : start + BATCH_SIZE]).delete()
    edges = [
        through(from_term_id=pk_of[record.iri], to_term_id=pk_of[parent])
        for record in records
        for parent in dict.fromkeys(record.parents)
        if parent in pk_of and parent != record.iri
    ]
    through.objects.bulk_create(edges, batch_size=BATCH_SIZE)


def check_records(records: list[TermRecord]) -> None:
    """Refuse an empty ontology or one whose subclass edges form a cycle."""
    if not records:
        raise DomainError("The source declares no named classes.", code="ontology_empty")
    cycle = find_cycle({record.iri: record.parents for record in records})
    if cycle:
        raise DomainError(
            "rdfs:subClassOf forms a cycle: " + " -> ".join(cycle),
            details={"cycle": cycle},
            code="ontology_cycle",
        )


def _refuse_terms_of_other_ontologies(records: list[TermRecord], name: str) -> None:
    """A term belongs to one ontology: importing its IRI under another name is refused."""
    iris = [record.iri for record in records]
    owners: dict[str, str] = {}
    for start in range(0, len(iris), BATCH_SIZE):
        owners.update(
            Term.objects.filter(iri__in=iris[start : start + BATCH_SIZE])
            .exclude(ontology=name)
            .values_list("iri", "ontology")
        )
    if owners:
        iri, other = next(iter(sorted(owners.items())))
        raise DomainError(
            f"{len(owners)} terms of this source already belong to the ontology '{other}' "
            f"(e.g. {iri}): import it with --name {other}, or under IRIs of its own.",
            code="ontology_conflict",
        )


def apply_ontology(
    records: list[TermRecord], *, name: str = DEFAULT_ONTOLOGY, source: str = "", checksum: str = ""
) -> ImportSummary:
    """Store ``records`` as ontology ``name``: add, update, mark the missing ones obsolete.

    Never deletes a term (others may reference it). All or nothing: on any error the database is
    unchanged. Rebuilds the closure and records an :class:`OntologyVersion`.
    """
    check_records(records)
    summary = ImportSummary()
    with transaction.atomic():
        _refuse_terms_of_other_ontologies(records, name)
        stored, stored_parents = _stored_state(name)
        for record in records:
            term = stored.get(record.iri)
            if term is None:
                summary.added.append(record.iri)
            elif _differs(term, record, stored_parents.get(term.pk, set())):
                summary.updated.append(record.iri)
            else:
                summary.unchanged.append(record.iri)
        to_write = [r for r in records if r.iri not in set(summary.unchanged)]
        _upsert_terms(to_write, stored, name)
        _replace_edges(to_write)
        seen = {record.iri for record in records}
        missing = [iri for iri, term in stored.items() if iri not in seen and not term.obsolete]
        Term.objects.filter(iri__in=missing).update(obsolete=True)
        summary.obsoleted = missing
        rebuild_closure()
        summary.version = OntologyVersion.objects.create(
            name=name,
            source=source,
            checksum=checksum,
            term_count=len(records),
            **summary.counts(),
        )
        if summary.added or summary.updated or summary.obsoleted:
            ontology_changed.send(
                sender=OntologyVersion, name=name, changed_iris=[*summary.updated, *missing]
            )
    return summary


# --- snapshot ----------------------------------------------------------------------------------


def records_from_snapshot(data: dict) -> list[TermRecord]:
    """Read the terms of a snapshot document (``ontologies/data/panet.json``)."""
    return [
        TermRecord(
            iri=item["iri"],
            label=item["label"],
            synonyms=tuple(item.get("synonyms", ())),
            parents=tuple(item.get("parents", ())),
            obsolete=bool(item.get("obsolete", False)),
        )
        for item in data["terms"]
    ]


def load_snapshot(path: str | Path | None = None, with_mapping: bool = True) -> dict:
    """Load the project's compact ontology snapshot, idempotently, then rebuild the closure.

    Also loads the NeXus definition mapping (``ontologies/data/nexus_mapping.yaml``) and the
    requirements of the NXDL definitions (``ontologies/data/nxdl_requirements.json``) unless
    ``with_mapping`` is false. Returns the counts of added, updated, obsoleted and unchanged terms.
    """
    path = Path(path or SNAPSHOT_PATH)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        records = records_from_snapshot(data)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DomainError(f"Cannot read the ontology snapshot {path}: {exc}") from exc
    summary = apply_ontology(
        records,
        name=data.get("name", DEFAULT_ONTOLOGY),
        source=data.get("source", str(path)),
        checksum=data.get("checksum", ""),
    )
    result = summary.counts()
    if with_mapping:
        from ontologies.nexus import load_nexus_mapping, load_nxdl_snapshot

        result["mappings"] = load_nexus_mapping()
        result["nexus_definitions"] = sum(load_nxdl_snapshot().values())
    return result


# --- linked material (reverse relations other apps add) ---------------------------------------


def _has_relation(name: str) -> bool:
    """Whether another app has added the reverse relation ``name`` to Term."""
    return name in {f.name for f in Term._meta.get_fields()}


def linked_procedures(term: Term) -> list[dict]:
    """Procedures naming ``term`` (drafts left out), as ``{"slug", "name"}``."""
    if not _has_relation("procedures"):
        return []
    procedures = term.procedures.all()
    if "status" in {f.name for f in procedures.model._meta.get_fields()}:
        procedures = procedures.exclude(status="draft")
    return list(procedures.order_by("name").values("slug", "name"))


def linked_resources(term: Term, kind: str | None = None) -> list[dict]:
    """Resources naming ``term`` (of one ``kind`` if given), as ``{"title", "url", "kind"}``."""
    if not _has_relation("resources"):
        return []
    resources = term.resources.all()
    if kind:
        resources = resources.filter(kind=kind)
    return list(resources.order_by("title").values("title", "url", "kind"))
