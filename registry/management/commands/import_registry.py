"""Import a registry export made by ``export_registry``: checked first, all or nothing."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from config.api.errors import DomainError
from registry.manifest import ManifestError


class Command(BaseCommand):
    """``manage.py import_registry DIR``: verifies format version and checksums first."""

    help = "Import a registry export (format version 1) from DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Directory written by export_registry")

    def handle(self, *args, **options):
        from registry.interop.export import import_registry

        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(f"No export directory at {directory}.")
        try:
            counts = import_registry(directory, progress=options["verbosity"] > 0)
        except ManifestError as error:
            raise CommandError(f"Invalid procedure manifest in the export: {error}") from error
        except DomainError as error:
            raise CommandError(error.message) from error
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(
            "Imported " + ", ".join(f"{count} {name}" for name, count in counts.items())
        )
