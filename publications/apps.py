"""Django app configuration for publications."""

from django.apps import AppConfig


class PublicationsConfig(AppConfig):
    """Reproducible publications: a DOI's datasets and procedures, re-executed and compared."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "publications"
    verbose_name = "Publications"
