"""Write the synthetic NeXus example files (one per technique) into a folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from datasets.examples import EXAMPLES, write_example


class Command(BaseCommand):
    """``manage.py make_example_nexus DIR [--technique SLUG ...]``."""

    help = "Write small synthetic NeXus example files (demo content), one per technique."

    def add_arguments(self, parser):
        """DIR and the optional technique slugs."""
        parser.add_argument("directory", help="Folder to write into (created when missing).")
        parser.add_argument(
            "--technique",
            action="append",
            dest="techniques",
            metavar="SLUG",
            help=f"Only this technique (repeatable). One of: {', '.join(EXAMPLES)}.",
        )

    def handle(self, *args, directory: str, techniques: list[str] | None, **options):
        """Check the arguments, then write the files with a progress bar."""
        target = Path(directory)
        wanted = techniques or list(EXAMPLES)
        unknown = [slug for slug in wanted if slug not in EXAMPLES]
        if unknown:
            raise CommandError(
                f"Unknown technique {', '.join(unknown)}; choose from {', '.join(EXAMPLES)}."
            )
        self._prepare(target)
        written = [
            write_example(EXAMPLES[slug], target)
            for slug in tqdm(
                wanted, desc="NeXus examples", unit="file", disable=options["verbosity"] == 0
            )
        ]
        self.stdout.write(self.style.SUCCESS(f"Wrote {len(written)} example file(s) to {target}."))

    @staticmethod
    def _prepare(target: Path) -> None:
        """Create ``target`` or fail with one clear line when it cannot hold the files."""
        if target.exists() and not target.is_dir():
            raise CommandError(f"{target} exists and is not a directory.")
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot create {target}: {error.strerror}.") from error
        probe = target / ".write-test"
        try:
            probe.touch()
            probe.unlink()
        except OSError as error:
            raise CommandError(f"Cannot write to {target}: {error.strerror}.") from error
