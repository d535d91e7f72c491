"""``manage.py import_panosc FILE_OR_URL``: import datasets and documents from PaNOSC JSON."""

from pathlib import Path

import requests
from django.core.management.base import BaseCommand, CommandError

from config.api.errors import DomainError
from datasets.panosc.importer import import_panosc

TIMEOUT_SECONDS = 30


def read_source(source: str) -> str:
    """The text of a local file or of an http(s) URL."""
    if source.startswith(("http://", "https://")):
        try:
            response = requests.get(
                source, timeout=TIMEOUT_SECONDS, headers={"Accept": "application/json"}
            )
            response.raise_for_status()
        except requests.RequestException as exc:
            raise CommandError(f"Cannot fetch {source}: {exc}") from exc
        return response.text
    path = Path(source)
    if not path.is_file():
        raise CommandError(f"No such file: {source}")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read {source}: {exc}") from exc


class Command(BaseCommand):
    """Import PaNOSC datasets (and documents with their datasets); all or nothing."""

    help = "Import datasets and documents from PaNOSC search API JSON (a file or a URL)."

    def add_arguments(self, parser):
        """FILE_OR_URL."""
        parser.add_argument("source", help="a JSON file or an http(s) URL of a PaNOSC answer")

    def handle(self, *args, **options):
        """Read, check and import; one error line and nothing written when the JSON is bad."""
        text = read_source(options["source"])
        try:
            report = import_panosc(text, progress=True)
        except DomainError as exc:
            raise CommandError(f"{options['source']}: {exc.message}") from exc
        for unknown in sorted(set(report.unknown_techniques)):
            self.stderr.write(f"unknown technique skipped: {unknown}")
        self.stdout.write(
            f"imported {report.datasets} datasets and {report.documents} documents"
            + (f" ({report.instruments} instruments)" if report.instruments else "")
        )
