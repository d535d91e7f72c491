"""Django app configuration for registry."""

from django.apps import AppConfig


class RegistryConfig(AppConfig):
    """Analysis procedures, their versions, facilities, instruments and linked resources."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "registry"
    verbose_name = "Registry"
