"""The audit log: one row per curator action, never edited."""

from django.conf import settings
from django.db import models

from audit.choices import AuditAction


class AuditEntry(models.Model):
    """One recorded action: who, what, on which object, when, with details."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
        help_text="Who acted; empty for commands and other actions outside a request.",
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="Kept if the user goes.")
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100, help_text="app_label.model")
    object_id = models.CharField(max_length=255)
    object_repr = models.CharField(max_length=255)
    details = models.JSONField(default=dict, blank=True)
    timestamp = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-timestamp", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor", "-timestamp"], name="audit_actor_time"),
            models.Index(fields=["action", "-timestamp"], name="audit_action_time"),
        ]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.object_repr}"
