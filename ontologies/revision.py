"""The hierarchy revision: one token naming the stored state of the terms and their hierarchy.

Bulk writers (imports, :func:`ontologies.services.rebuild_closure`) give the state a new token
with :func:`bump`. Edits of single terms (the admin, the shell) go through :func:`note_edit`,
which also records what the closure rebuild after the commit has to do. Everything is in the
database, so other processes see it and a rollback takes it back with the edits.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from ontologies.models import HierarchyRevision, new_revision_token

ROW = 1  # the primary key of the one row


def current_token() -> str:
    """The token of the stored state ("" before anything was ever written). One query."""
    return HierarchyRevision.objects.filter(pk=ROW).values_list("token", flat=True).first() or ""


def bump(*, closure_rebuilt: bool = False) -> None:
    """Give the stored state a new token; after a closure rebuild the closure is fresh again."""
    defaults: dict = {"token": new_revision_token()}
    if closure_rebuilt:
        defaults["closure_stale"] = False
    HierarchyRevision.objects.update_or_create(pk=ROW, defaults=defaults)


def note_edit(iris: Iterable[str], *, structure: bool) -> None:
    """Record an edit of single terms: a new token, and for :func:`take_pending` the terms to
    announce and, when parent edges or the set of terms changed (``structure``), a stale closure.
    """
    with transaction.atomic():
        row, _ = HierarchyRevision.objects.select_for_update().get_or_create(pk=ROW)
        row.token = new_revision_token()
        row.closure_stale = row.closure_stale or structure
        row.changed_iris = sorted(set(row.changed_iris) | set(iris))
        row.save()


def take_pending() -> tuple[bool, list[str]]:
    """Whether the closure is stale, and the edited terms' IRIs, which are cleared.

    Locks the row: call it inside the transaction that does the work, so that concurrent
    refreshes do it once and a failed one leaves the notes in place.
    """
    row = HierarchyRevision.objects.select_for_update().filter(pk=ROW).first()
    if row is None:
        return False, []
    iris = list(row.changed_iris)
    if iris:
        row.changed_iris = []
        row.save(update_fields=["changed_iris", "changed_at"])
    return row.closure_stale, iris
