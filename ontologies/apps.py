"""Django app configuration for ontologies."""

from django.apps import AppConfig


class OntologiesConfig(AppConfig):
    """Experimental-technique terms (PaNET), their hierarchy, and the NeXus definition mapping."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "ontologies"
    verbose_name = "Ontologies"

    def ready(self) -> None:
        """Connect the receivers that keep the hierarchy whole when single terms are edited."""
        from ontologies import receivers

        receivers.connect()
