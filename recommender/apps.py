"""Django app configuration for recommender."""

from django.apps import AppConfig


class RecommenderConfig(AppConfig):
    """Ranks procedures for a dataset, with explanations, via embedded or Elasticsearch backends."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "recommender"
    verbose_name = "Recommender"

    def ready(self) -> None:
        """Keep the search index in step with the registry."""
        from recommender import signals

        signals.connect()
