"""``manage.py import_ontology SOURCE``: import or refresh an ontology from a file or URL."""

from django.core.management.base import BaseCommand, CommandError

from config.api.errors import DomainError
from ontologies.models import DEFAULT_ONTOLOGY
from ontologies.rdf import KNOWN_PREFIXES, read_ontology
from ontologies.services import apply_ontology

EXAMPLES_SHOWN = 5


class Command(BaseCommand):
    """Import an ontology (OWL/RDF-XML, Turtle or JSON-LD) into terms, edges and the closure."""

    help = (
        "Import an ontology from a path or http(s) URL. Re-importing updates labels, adds terms "
        "and marks removed terms obsolete (never deletes). All or nothing."
    )

    def add_arguments(self, parser):
        """Declare SOURCE, --format, --name and --iri-prefix."""
        parser.add_argument("source", help="path or http(s) URL of the ontology")
        parser.add_argument("--format", choices=["owl", "ttl", "jsonld"], default=None)
        parser.add_argument("--name", default=DEFAULT_ONTOLOGY, help="ontology name (panet)")
        parser.add_argument(
            "--iri-prefix",
            default=None,
            help="keep only classes whose IRI starts with this (default: known for panet)",
        )

    def handle(self, *args, **options):
        """Read, check and store the ontology; print what changed."""
        name = options["name"]
        prefix = options["iri_prefix"]
        if prefix is None:
            prefix = KNOWN_PREFIXES.get(name, "")
        show_progress = options["verbosity"] > 0
        try:
            records, checksum = read_ontology(
                options["source"], options["format"], prefix, progress=show_progress
            )
            summary = apply_ontology(
                records, name=name, source=options["source"], checksum=checksum
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        counts = summary.counts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {name} ({len(records)} terms, sha256 {checksum[:12]}): "
                + ", ".join(f"{count} {what}" for what, count in counts.items())
            )
        )
        for what in ("added", "updated", "obsoleted"):
            iris = getattr(summary, what)
            if iris and options["verbosity"] > 1:
                for iri in iris:
                    self.stdout.write(f"  {what}: {iri}")
            elif iris:
                more = (
                    f" (+{len(iris) - EXAMPLES_SHOWN} more)" if len(iris) > EXAMPLES_SHOWN else ""
                )
                self.stdout.write(f"  {what}: " + ", ".join(iris[:EXAMPLES_SHOWN]) + more)
