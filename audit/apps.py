"""Django app configuration for audit."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Audit log of curator actions, recorded through signals on registry models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        """Connect the signal receivers."""
        from audit import signals

        signals.connect()
