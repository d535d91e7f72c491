"""Django app configuration for publications."""

from django.apps import AppConfig


class PublicationsConfig(AppConfig):
    """Reproducible publications: a DOI's datasets and procedures, re-executed and compared."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "publications"
    verbose_name = "Publications"

    def ready(self):
        """Let ``manage.py import_crate`` (registry) import publication bundles too."""
        from publications.bundle import import_bundle_file, is_bundle
        from registry.interop.importers import CrateImporter, register_crate_importer

        register_crate_importer(CrateImporter("publication-bundle", is_bundle, import_bundle_file))
