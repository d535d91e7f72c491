"""Signal receivers on registry models: create, publish, deprecate and delete become entries.

A status change is detected against the status the instance had when it was loaded
(``post_init``), so recording costs no extra query.
"""

from django.db.models.signals import post_delete, post_init, post_save

from audit.choices import AuditAction
from audit.services import record

STATUS_ACTIONS = {"published": AuditAction.PUBLISH, "deprecated": AuditAction.DEPRECATE}


def _remember_status(sender, instance, **kwargs) -> None:
    instance._audit_loaded_status = instance.__dict__.get("status")


def _on_save(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:  # loaddata
        return
    status = instance.__dict__.get("status")
    before = getattr(instance, "_audit_loaded_status", None)
    if created:
        record(AuditAction.CREATE, instance, {"status": status} if status else {})
    elif status != before and status in STATUS_ACTIONS:
        record(STATUS_ACTIONS[status], instance, {"from": before, "to": status})
    instance._audit_loaded_status = status


def _on_delete(sender, instance, **kwargs) -> None:
    record(AuditAction.DELETE, instance, {"status": instance.__dict__.get("status", "")})


def audited_models() -> list:
    """The registry models whose lifecycle is audited."""
    from registry.models import Facility, Instrument, Procedure, ProcedureVersion, Resource

    return [Procedure, ProcedureVersion, Resource, Facility, Instrument]


def connect() -> None:
    """Connect the receivers to every audited model."""
    for model in audited_models():
        uid = f"audit-{model._meta.label_lower}"
        post_init.connect(_remember_status, sender=model, dispatch_uid=uid + "-init")
        post_save.connect(_on_save, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=uid + "-delete")
