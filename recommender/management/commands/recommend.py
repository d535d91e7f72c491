"""``manage.py recommend FILE [--k 5] [--json]``: which procedures fit a NeXus file, and why."""

import json

from django.core.management.base import BaseCommand, CommandError

from config.api.errors import DomainError
from recommender import services


class Command(BaseCommand):
    """Extract a NeXus file's metadata and print the ranked recommendations."""

    help = "Recommend procedures for a NeXus file."

    def add_arguments(self, parser):
        """FILE, --k, --facility, --include-incompatible, --backend, --json."""
        parser.add_argument("file")
        parser.add_argument("--k", type=int, default=5)
        parser.add_argument("--facility", default=None)
        parser.add_argument("--include-incompatible", action="store_true")
        parser.add_argument("--backend", default=None)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        """Print the answer as text or JSON."""
        try:
            answer = services.recommend_for_file(
                options["file"],
                k=options["k"],
                facility=options["facility"],
                include_incompatible=options["include_incompatible"],
                backend=options["backend"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(answer, indent=2, default=str))
            return
        query = answer["query"]
        if query["technique_status"] == "unknown":
            self.stdout.write(f"Technique unknown: {query['technique_unknown_reason']}")
        else:
            labels = ", ".join(t["label"] for t in query["techniques"])
            self.stdout.write(f"Techniques: {labels}")
        for rank, item in enumerate(answer["results"], 1):
            self.stdout.write(
                f"{rank}. {item['procedure']} {item['version']}  score {item['score']:.3f}\n"
                f"   {item['explanation']}"
            )
        if not answer["results"]:
            self.stdout.write(
                " ".join(["No procedure fits.", query.get("no_fit_reason", "")]).strip()
            )
