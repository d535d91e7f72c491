"""Keep the hierarchy whole when terms are edited one at a time (the admin, the shell).

Imports write in bulk and rebuild the closure themselves; these receivers cover the rest: a
parent edge that would close a cycle is refused before it is written, and every edit is noted
in the hierarchy revision (:mod:`ontologies.revision`) and finished after the commit by
:func:`ontologies.services.refresh_hierarchy` (closure rebuilt once, edited terms announced).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from ontologies import revision, services
from ontologies.models import Term


def hierarchy_edited(iris: list[str], *, structure: bool) -> None:
    """Note the edit now; rebuild and announce after the commit (at once outside a transaction)."""
    revision.note_edit(iris, structure=structure)
    transaction.on_commit(services.refresh_hierarchy)


def term_saved(sender, instance: Term, created: bool, **kwargs) -> None:
    """A new term needs its closure rows; a changed label or synonym must reach the index."""
    hierarchy_edited([instance.iri], structure=created)


def term_deleted(sender, instance: Term, **kwargs) -> None:
    """Paths through a deleted term are gone: the closure must be rebuilt."""
    hierarchy_edited([], structure=True)


def parents_changed(sender, instance: Term, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """Refuse a cycle before edges are added; note the terms whose parents changed."""
    if action == "pre_add":
        if reverse:  # parent.children.add(child, ...)
            services.refuse_cycle((child, instance.pk) for child in pk_set)
        else:
            services.refuse_cycle((instance.pk, parent) for parent in pk_set)
    elif action in ("post_add", "post_remove", "pre_clear"):
        if not reverse:
            iris = [instance.iri]
        elif pk_set is not None:
            iris = list(Term.objects.filter(pk__in=pk_set).values_list("iri", flat=True))
        else:  # clearing a term's children: the children lose a parent
            iris = list(instance.children.values_list("iri", flat=True))
        hierarchy_edited(iris, structure=True)


def connect() -> None:
    """Connect the receivers (called from the app config's ``ready``)."""
    post_save.connect(term_saved, sender=Term, dispatch_uid="ontologies-term-saved")
    post_delete.connect(term_deleted, sender=Term, dispatch_uid="ontologies-term-deleted")
    m2m_changed.connect(
        parents_changed, sender=Term.parents.through, dispatch_uid="ontologies-term-parents"
    )
