"""Registering manifests that carry history: versions one at a time, in order.

A manifest from an export may hold a version based on another version of the same procedure,
and deprecated versions; :func:`registry.services.register_manifest` validates ``based_on``
against stored versions and deprecates only published ones. Registering each version in turn
(a deprecated one first as published) keeps the same validation while accepting that history.
"""

from django.db import transaction

from registry import services
from registry.choices import VersionStatus
from registry.models import ProcedureVersion


@transaction.atomic
def register_with_history(document: dict, by=None) -> list[services.RegistrationResult]:
    """Register ``document`` version by version (in its order); all or nothing."""
    results = []
    versions = document.get("versions") if isinstance(document, dict) else None
    if not isinstance(versions, list) or not versions:
        return [services.register_manifest(document, by=by)]
    for entry in versions:
        deprecated = isinstance(entry, dict) and entry.get("status") == VersionStatus.DEPRECATED
        step_entry = {**entry, "status": VersionStatus.PUBLISHED} if deprecated else entry
        stored = _stored(document, entry)
        if deprecated and stored is not None and stored.status != VersionStatus.DRAFT:
            step_entry = entry
        results.append(services.register_manifest({**document, "versions": [step_entry]}, by=by))
        if deprecated:
            version = _stored(document, entry)
            if version.status == VersionStatus.PUBLISHED:
                services.deprecate_version(version)
    return results


def _stored(document: dict, entry: dict) -> ProcedureVersion | None:
    slug = (document.get("procedure") or {}).get("slug")
    number = entry.get("version") if isinstance(entry, dict) else None
    return ProcedureVersion.objects.filter(procedure__slug=slug, version=number).first()
