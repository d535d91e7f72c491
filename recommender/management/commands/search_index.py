"""``manage.py search_index rebuild|status|check``: the Elasticsearch index of procedures."""

import json
import logging

from django.core.management.base import BaseCommand, CommandError
from elasticsearch import exceptions as es_exceptions
from tqdm import tqdm

from config.api.errors import DomainError
from recommender import search_index


class Command(BaseCommand):
    """Rebuild the index behind its alias, show its status, or compare it with the database."""

    help = "rebuild: new index + atomic alias swap; status: alias and counts; check: differences."

    def add_arguments(self, parser):
        """One action."""
        parser.add_argument("action", choices=["rebuild", "status", "check"])

    def handle(self, *args, action: str, **options):
        """Run the action; an unreachable cluster is one clear line."""
        # elastic_transport logs a warning per failed node attempt: the CommandError says it once.
        logging.getLogger("elastic_transport").setLevel(logging.ERROR)
        try:
            if action == "rebuild":
                total = search_index.indexable_versions().count()
                with tqdm(total=total, desc="versions", unit="doc") as bar:
                    result = search_index.rebuild(progress=bar.update)
                rate = result["documents"] / result["seconds"] if result["seconds"] else 0
                self.stdout.write(
                    f"{result['documents']} documents into {result['index']} "
                    f"in {result['seconds']:.2f} s ({rate:.0f}/s); alias swapped"
                )
            elif action == "status":
                self.stdout.write(json.dumps(search_index.status(), indent=2))
            else:
                differences = search_index.check()
                self.stdout.write(json.dumps(differences, indent=2))
                if any(differences.values()):
                    raise CommandError("The index differs from the database; run rebuild.")
        except (es_exceptions.ConnectionError, es_exceptions.TransportError) as exc:
            raise CommandError(search_index.unavailable(exc).message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
