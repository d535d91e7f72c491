"""``manage.py load_ontology_snapshot``: load the shipped PaNET snapshot and NeXus mapping."""

from django.core.management.base import BaseCommand, CommandError

from config.api.errors import DomainError
from ontologies.models import Term
from ontologies.services import load_snapshot


class Command(BaseCommand):
    """Load ``ontologies/data/panet.json`` and ``nexus_mapping.yaml`` (offline, idempotent)."""

    help = "Load the offline PaNET snapshot and the NeXus definition mapping."

    def add_arguments(self, parser):
        """Declare an optional snapshot path and --if-empty."""
        parser.add_argument("path", nargs="?", default=None)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="only when no term is stored yet (a fresh install): never roll back a newer "
            "ontology that import_ontology brought in",
        )

    def handle(self, *args, **options):
        """Load and print the counts."""
        if options["if_empty"] and Term.objects.exists():
            self.stdout.write("Terms are stored already: the snapshot is left out.")
            return
        try:
            counts = load_snapshot(options["path"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(", ".join(f"{count} {what}" for what, count in counts.items()))
        )
