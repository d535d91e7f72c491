"""Helpers shared by the publications commands."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from config.api.errors import DomainError
from registry.manifest import ManifestError

REPRODUCER = "reproducer"
ERRORS = (DomainError, ValidationError, ManifestError, PermissionDenied)


def one_line(error: Exception) -> CommandError:
    """A CommandError with the error's message on one line."""
    message = (
        getattr(error, "message", None) or "; ".join(getattr(error, "messages", [])) or str(error)
    )
    return CommandError(" ".join(str(message).split()))


def acting_user(username: str):
    """The user runs are recorded for (created, without a password, when missing)."""
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
