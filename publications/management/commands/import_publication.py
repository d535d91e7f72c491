"""``manage.py import_publication FILE_OR_DOI``: a publication from Crossref, DataCite or CSL JSON."""

from django.core.management.base import BaseCommand

from publications import services
from publications.management.commands._common import ERRORS, one_line


class Command(BaseCommand):
    """Import or update one publication; a malformed DOI or record writes nothing."""

    help = "Import a publication from a record file (Crossref, DataCite, CSL JSON) or a DOI."

    def add_arguments(self, parser):
        """The file or DOI."""
        parser.add_argument("source", help="Record file (.json) or DOI / https://doi.org/ URL")

    def handle(self, *args, source: str, **options):
        """Import and say what happened."""
        try:
            publication, created = services.import_publication(source)
        except ERRORS as error:
            raise one_line(error) from error
        action = "created" if created else "updated"
        self.stdout.write(f"{action} {publication.doi}: {publication.title}")
