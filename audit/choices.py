"""Choices of the audit app."""

from django.db import models


class AuditAction(models.TextChoices):
    """What a curator (or staff, or a command) did."""

    CREATE = "create", "create"
    PUBLISH = "publish", "publish"
    DEPRECATE = "deprecate", "deprecate"
    DELETE = "delete", "delete"
    REVOKE_TOKEN = "revoke_token", "revoke token"
