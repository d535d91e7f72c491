"""Export the whole registry into a directory of JSON files with a checksummed manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.interop.export import export_registry


class Command(BaseCommand):
    """``manage.py export_registry DIR``: format version 1, see docs/interoperability.md."""

    help = "Export procedures, versions, resources, facilities, terms and mappings to DIR."

    def add_arguments(self, parser):
        """Declare DIR."""
        parser.add_argument("directory", help="Directory to write (created if missing)")

    def handle(self, *args, **options):
        """Refuse a non-empty directory, export with a progress bar, list the files."""
        directory = Path(options["directory"])
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} exists and is not a directory.")
        if directory.is_dir() and any(directory.iterdir()):
            raise CommandError(f"{directory} is not empty; export into a new directory.")
        manifest = export_registry(directory, progress=options["verbosity"] > 0)
        sizes = ", ".join(f"{n} ({f['bytes']} bytes)" for n, f in manifest["files"].items())
        self.stdout.write(f"Exported to {directory}: {sizes}")
