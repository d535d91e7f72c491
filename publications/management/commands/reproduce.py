"""``manage.py reproduce DOI [--json]``: re-run a publication's procedures and compare results."""

import json

from django.core.management.base import BaseCommand, CommandError

from publications import services
from publications.api.serializers import ReproductionSerializer
from publications.choices import ReproductionStatus
from publications.management.commands._common import ERRORS, REPRODUCER, acting_user, one_line


class Command(BaseCommand):
    """Exit status 1 when any result differs or a run failed."""

    help = "Reproduce every published result of a publication through the execution layer."

    def add_arguments(self, parser):
        """DOI, output format, user and waiting time."""
        parser.add_argument("doi")
        parser.add_argument("--json", action="store_true", help="Print the reproduction as JSON.")
        parser.add_argument("--user", default=REPRODUCER, help="Who the runs belong to.")
        parser.add_argument("--wait", type=float, default=None, help="Seconds to wait for runs.")

    def handle(self, *args, **options):
        """Reproduce, print a verdict per result, fail when not reproduced."""
        try:
            publication = services.get_publication(options["doi"])
            self.stderr.write(f"Reproducing {publication.doi} ...")
            reproduction = services.reproduce(
                publication, acting_user(options["user"]), wait_seconds=options["wait"],
                progress=True,
            )  # fmt: skip
        except ERRORS as error:
            raise one_line(error) from error
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    ReproductionSerializer(reproduction, context={"all_runs": True}).data, indent=2
                )
            )
        else:
            for comparison in reproduction.comparisons.select_related("result", "run"):
                self.stdout.write(
                    f"{comparison.result.label}: {comparison.status} — {comparison.message} "
                    f"(run {comparison.run_id})"
                )
            self.stdout.write(f"{publication.doi}: {reproduction.status}")
        if reproduction.status != ReproductionStatus.REPRODUCED:
            raise CommandError(f"{publication.doi} was not reproduced: {reproduction.status}.")
