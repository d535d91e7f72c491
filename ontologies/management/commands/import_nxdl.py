"""``manage.py import_nxdl DIR``: record NXDL application definitions and what they require."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.api.errors import DomainError
from ontologies.nexus import store_nxdl_definitions
from ontologies.nxdl import read_nxdl_dir


class Command(BaseCommand):
    """Parse ``*.nxdl.xml`` below DIR and store each application definition."""

    help = "Record NXDL application definitions (category, required groups and fields)."

    def add_arguments(self, parser):
        """Declare DIR."""
        parser.add_argument("directory", help="folder of NXDL files (searched recursively)")

    def handle(self, *args, **options):
        """Parse and store; print what changed."""
        try:
            definitions = read_nxdl_dir(Path(options["directory"]))
            counts = store_nxdl_definitions(definitions)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(definitions)} application definitions: "
                + ", ".join(f"{count} {what}" for what, count in counts.items())
            )
        )
