"""``manage.py import_publication_bundle FILE``: register a publication bundle's contents here
(``manage.py import_crate FILE`` does the same for a bundle)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from publications.bundle import import_bundle_file
from publications.management.commands._common import ERRORS, one_line


class Command(BaseCommand):
    """Procedures from their manifests, datasets from their files, then the publication."""

    help = "Import a publication bundle (crate.zip) so the publication can be reproduced here."

    def add_arguments(self, parser):
        """The bundle."""
        parser.add_argument("file", help="A publication bundle (zip)")

    def handle(self, *args, file: str, **options):
        """Import all or nothing."""
        if not Path(file).is_file():
            raise CommandError(f"No bundle at {file}.")
        try:
            summary = import_bundle_file(Path(file))
        except ERRORS as error:
            raise one_line(error) from error
        self.stdout.write(summary)
