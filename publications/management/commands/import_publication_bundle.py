"""``manage.py import_publication_bundle FILE``: register a publication bundle's contents here."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from publications import services
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
            publication = services.import_bundle(Path(file))
        except ERRORS as error:
            raise one_line(error) from error
        self.stdout.write(
            f"imported {publication.doi}: {publication.results.count()} result(s), "
            f"{publication.datasets.count()} dataset(s), "
            f"{publication.procedure_versions.count()} procedure version(s)"
        )
