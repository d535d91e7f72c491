"""Django app configuration for execution."""

from django.apps import AppConfig


class ExecutionConfig(AppConfig):
    """Runs of procedures on datasets through Celery and execution backends, with provenance."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "execution"
    verbose_name = "Execution"
