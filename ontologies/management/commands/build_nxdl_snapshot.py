"""``manage.py build_nxdl_snapshot [DIR]``: write the shipped snapshot of NXDL requirements."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.api.errors import DomainError
from ontologies.nexus import NXDL_SNAPSHOT_PATH, mapped_definitions
from ontologies.nxdl import read_nxdl_dir, write_nxdl_snapshot

DEFAULT_SOURCE = Path(settings.BASE_DIR).parent / "shared" / "nexus-definitions"


class Command(BaseCommand):
    """Generate ``ontologies/data/nxdl_requirements.json`` from a folder of NXDL files.

    It holds every application definition and every base class that the NeXus mapping names,
    with the groups and fields they require (facts only), so a fresh install knows them offline.
    """

    help = "Build the offline snapshot of NXDL definitions and their required groups and fields."

    def add_arguments(self, parser):
        """Declare DIR and --output."""
        parser.add_argument("directory", nargs="?", default=str(DEFAULT_SOURCE))
        parser.add_argument("--output", default=str(NXDL_SNAPSHOT_PATH))

    def handle(self, *args, **options):
        """Read the NXDL files and write the snapshot."""
        mapped = {name.lower() for name in mapped_definitions()}
        try:
            definitions = [
                definition
                for definition in read_nxdl_dir(Path(options["directory"]), applications_only=False)
                if definition.category == "application" or definition.name.lower() in mapped
            ]
            output = write_nxdl_snapshot(
                definitions, Path(options["output"]), source="NeXus definitions (NXDL)"
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:
            raise CommandError(f"Cannot write {options['output']}: {exc.strerror or exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(definitions)} definitions to {output}"))
