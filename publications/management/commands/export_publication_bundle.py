"""``manage.py export_publication_bundle DOI OUT.zip``: write a publication's bundle."""

from pathlib import Path

from django.core.management.base import BaseCommand

from publications import services
from publications.management.commands._common import ERRORS, one_line


class Command(BaseCommand):
    """The same bundle as ``/api/v1/publications/{doi}/crate.zip``."""

    help = "Write the RO-Crate bundle of a publication."

    def add_arguments(self, parser):
        """DOI and target."""
        parser.add_argument("doi")
        parser.add_argument("target")

    def handle(self, *args, doi: str, target: str, **options):
        """Export."""
        try:
            path = services.export_bundle(
                services.get_publication(doi), Path(target), progress=True
            )
        except ERRORS as error:
            raise one_line(error) from error
        self.stdout.write(f"wrote {path}")
