"""Signal handlers: after a version or procedure is saved and committed, sync the index; after
terms changed (an import, or an edit in the admin) or before one is deleted, resync the versions
of the procedures whose techniques lie at or below it (their documents carry ancestor IRIs,
labels and synonyms).

Connected here (the registry and the ontologies must not import the recommender). In embedded mode, or with
``CELERY_TASK_ALWAYS_EAGER``, the task runs synchronously; nothing is queued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete

from ontologies.models import Term
from ontologies.services import descendant_ids
from ontologies.signals import ontology_changed
from registry.models import Procedure, ProcedureVersion


def schedule_sync(version_ids: list[int]) -> None:
    """Sync ``version_ids`` once the current transaction commits."""
    if settings.SEARCH_BACKEND == "embedded":
        return  # the database is the index
    from recommender.tasks import sync_version

    def run() -> None:
        for version_id in version_ids:
            if settings.CELERY_TASK_ALWAYS_EAGER:
                sync_version.apply(args=[version_id])
            else:
                sync_version.delay(version_id)

    transaction.on_commit(run)


def version_saved(sender, instance: ProcedureVersion, **kwargs) -> None:
    """A version changed: its document may have to appear, change or go."""
    schedule_sync([instance.pk])


def procedure_saved(sender, instance: Procedure, **kwargs) -> None:
    """A procedure changed (status, popularity, text): every one of its versions is resynced."""
    sync_procedure(instance.pk)


def sync_procedure(procedure_id: int) -> None:
    """Resync every version of a procedure after commit. Also called where a procedure is
    changed by ``update()``, which sends no signal (a successful run raising its popularity)."""
    if settings.SEARCH_BACKEND == "embedded":
        return  # the database is the index: not even the version ids are needed
    versions = ProcedureVersion.objects.filter(procedure_id=procedure_id)
    schedule_sync(list(versions.values_list("pk", flat=True)))


def procedure_relations_changed(sender, instance, action: str, **kwargs) -> None:
    """Techniques or facilities of a procedure changed."""
    if action.startswith("post_") and isinstance(instance, Procedure):
        procedure_saved(Procedure, instance)


def ontology_terms_changed(sender, name: str, changed_iris: list[str], **kwargs) -> None:
    """Terms changed: documents of procedures at or below them hold stale ancestors or labels."""
    if settings.SEARCH_BACKEND == "embedded" or not changed_iris:
        return
    changed = Term.objects.filter(iri__in=changed_iris).values_list("pk", flat=True)
    sync_below(list(changed))


def term_deleting(sender, instance: Term, **kwargs) -> None:
    """A term is about to go (with its procedures' links to it): resync, after the commit, the
    procedures on it or below it, read now while the closure still knows them."""
    if settings.SEARCH_BACKEND != "embedded":
        sync_below([instance.pk])


def sync_below(term_ids: list[int]) -> None:
    """Resync the versions of procedures whose techniques lie at or below ``term_ids``."""
    affected = ProcedureVersion.objects.filter(
        procedure__techniques__in=descendant_ids(term_ids) | set(term_ids)  # new: no closure yet
    ).distinct()
    schedule_sync(list(affected.values_list("pk", flat=True)))


def connect() -> None:
    """Connect the handlers (called from the app config's ``ready``)."""
    post_save.connect(version_saved, sender=ProcedureVersion, dispatch_uid="recommender-version")
    post_save.connect(procedure_saved, sender=Procedure, dispatch_uid="recommender-procedure")
    ontology_changed.connect(ontology_terms_changed, dispatch_uid="recommender-ontology")
    pre_delete.connect(term_deleting, sender=Term, dispatch_uid="recommender-term-deleting")
    for through in (Procedure.techniques.through, Procedure.facilities.through):
        m2m_changed.connect(
            procedure_relations_changed, sender=through, dispatch_uid=f"recommender-{through}"
        )
