"""Writing audit entries."""

from typing import Any

from django.db import models

from audit.middleware import current_user
from audit.models import AuditEntry


def record(action: str, obj: models.Model, details: dict[str, Any] | None = None, actor=None):
    """Write one audit entry for ``action`` on ``obj`` by ``actor`` (default: the request's user)."""
    actor = actor if actor is not None else current_user()
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=getattr(actor, "username", "") if actor is not None else "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        details=details or {},
    )
