"""Django app configuration for portal."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Server-rendered pages for scientists and curators."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = "Portal"
