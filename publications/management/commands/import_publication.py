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
        parser.add_argument(
            "--results",
            metavar="FILE",
            help="YAML/JSON list of published results (label, version slug@version, dataset "
            "PID, output, sha256 or tolerance + expected values file) to link, for reproduce",
        )

    def handle(self, *args, source: str, results: str | None = None, **options):
        """Import and say what happened."""
        try:
            publication, created = services.import_publication(source, results=results)
        except ERRORS as error:
            raise one_line(error) from error
        action = "created" if created else "updated"
        linked = f" ({publication.results.count()} result(s))" if results else ""
        self.stdout.write(f"{action} {publication.doi}: {publication.title}{linked}")
