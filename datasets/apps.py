"""Django app configuration for datasets."""

from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    """NeXus metadata extraction and datasets in the PaNOSC search API shape."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "datasets"
    verbose_name = "Datasets"
