"""Load the demo content: ontology snapshot, facilities, procedures, example datasets, demo
publications and demo users."""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from datasets.demo import ensure_demo_datasets
from ontologies.services import load_snapshot
from publications.demo import load_demo_publications, reproduce_demo_publications
from publications.management.commands._common import REPRODUCER, acting_user
from registry import demo
from registry.manifest import ManifestError
from registry.models import Facility

DEMO_USERS = {
    # username: (is_staff, curated facility slugs)
    "admin": (True, []),
    "curator": (False, ["esrf", "diamond"]),
    "ill-curator": (False, ["ill"]),
    "scientist": (False, []),
}


class Command(BaseCommand):
    """``load_demo``: idempotent; a second run changes nothing."""

    help = "Load the demo content (said to be demo content) so the app can be tried at once."

    def add_arguments(self, parser):
        """--no-users: load the content without the demo accounts; --reproduce: also start a
        reproduction of each demo publication not yet reproduced."""
        parser.add_argument("--no-users", action="store_true", help="do not create demo users")
        parser.add_argument(
            "--reproduce",
            action="store_true",
            help="start a reproduction of each demo publication that has none (runs queued)",
        )

    def handle(self, *args, no_users=False, reproduce=False, **options):
        """Load each part in order (ontology first: the rest refers to its terms), then users."""
        summary = load_snapshot()
        self.stdout.write(f"ontology snapshot: {summary}")
        count = demo.load_facilities()
        self.stdout.write(f"facilities: {count}")
        try:
            counts = demo.load_procedures()
        except ManifestError as error:
            raise CommandError(f"a demo manifest is invalid: {error}") from error
        self.stdout.write(f"procedures: {counts}")
        self.stdout.write(f"example datasets: {ensure_demo_datasets(progress=True)}")
        self.stdout.write(f"demo publications: {load_demo_publications()}")
        if not no_users:
            self._users()
        if reproduce:
            started = reproduce_demo_publications(acting_user(REPRODUCER))
            self.stdout.write(f"demo publications: {started}")
        self.stdout.write(self.style.SUCCESS("demo content loaded"))

    @transaction.atomic
    def _users(self) -> None:
        """The demo accounts, with DEMO_PASSWORD (set only when an account is created)."""
        password = os.environ.get("DEMO_PASSWORD", "demo-password")
        users = get_user_model().objects
        for name, (is_staff, facilities) in DEMO_USERS.items():
            user, created = users.get_or_create(
                username=name, defaults={"is_staff": is_staff, "is_superuser": is_staff}
            )
            if created:
                user.set_password(password)
                user.save()
            user.curated_facilities.add(*Facility.objects.filter(slug__in=facilities))
        self.stdout.write(
            f"demo users (password {password!r}, DEMO_PASSWORD to change): " + ", ".join(DEMO_USERS)
        )
