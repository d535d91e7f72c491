"""``manage.py build_ontology_snapshot``: write the compact offline snapshot of an ontology."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from config.api.errors import DomainError
from ontologies.models import DEFAULT_ONTOLOGY
from ontologies.rdf import KNOWN_PREFIXES, read_ontology
from ontologies.services import SNAPSHOT_PATH
from ontologies.snapshot import write_snapshot

DEFAULT_SOURCE = Path(settings.BASE_DIR).parent / "shared" / "ontologies" / "PaNET.owl"


class Command(BaseCommand):
    """Generate ``ontologies/data/panet.json`` (IRIs, labels, synonyms, parents, obsolete)."""

    help = "Build the compact JSON snapshot the app loads offline (facts only, no definitions)."

    def add_arguments(self, parser):
        """Declare SOURCE, --output, --format, --name and --iri-prefix."""
        parser.add_argument("source", nargs="?", default=str(DEFAULT_SOURCE))
        parser.add_argument("--output", default=str(SNAPSHOT_PATH))
        parser.add_argument("--format", choices=["owl", "ttl", "jsonld"], default=None)
        parser.add_argument("--name", default=DEFAULT_ONTOLOGY)
        parser.add_argument("--iri-prefix", default=None)

    def handle(self, *args, **options):
        """Read the source and write the snapshot."""
        name = options["name"]
        prefix = options["iri_prefix"]
        if prefix is None:
            prefix = KNOWN_PREFIXES.get(name, "")
        try:
            records, checksum = read_ontology(
                options["source"], options["format"], prefix, progress=options["verbosity"] > 0
            )
            output = write_snapshot(
                records,
                Path(options["output"]),
                name=name,
                source=Path(options["source"]).name,
                checksum=checksum,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:
            raise CommandError(f"Cannot write {options['output']}: {exc.strerror or exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(records)} terms to {output}"))
