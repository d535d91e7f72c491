"""``manage.py evaluate_recommender [--backend NAME]``: metrics on the gold labels."""

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from config.api.errors import DomainError
from recommender.backends import get_backend
from recommender.evaluation import evaluate, gold_cases


class Command(BaseCommand):
    """Print precision@1, precision@3, MRR, nDCG@5 and coverage of a backend."""

    help = "Evaluate the recommender against fixtures/gold/recommendations.yaml."

    def add_arguments(self, parser):
        """--backend, --samples (the shared nexus-samples folder, optional)."""
        parser.add_argument("--backend", default=None)
        parser.add_argument("--samples", default=None, help="path of ../shared/nexus-samples")

    def handle(self, *args, **options):
        """Write the example files to a temporary folder, recommend for each, print metrics."""
        samples = Path(options["samples"]) if options["samples"] else None
        if samples is not None and not samples.is_dir():
            raise CommandError(f"--samples {samples} is not a folder.")
        try:
            backend = get_backend(options["backend"]).name
            with tempfile.TemporaryDirectory(prefix="gold-") as folder:
                cases = gold_cases(Path(folder), samples)
                if not cases:
                    raise CommandError("No gold case has a file.")
                result = evaluate(tqdm(cases, desc="gold cases", unit="file"), backend)
        except DomainError as exc:  # unknown backend, or the named backend cannot serve
            raise CommandError(exc.message) from exc
        for name, value in result["metrics"].items():
            self.stdout.write(f"{name:12s} {value:.3f}")
        self.stdout.write(f"{'cases':12s} {result['cases']}")
        self.stdout.write(f"{'backend':12s} {backend}")
