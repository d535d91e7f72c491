"""Register (or dry-run) a procedure manifest file."""

import json

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from registry.manifest import ManifestError, read_manifest_file
from registry.services import register_manifest


class Command(BaseCommand):
    """``register_procedure PATH [--dry-run] [--user NAME] [--json]``."""

    help = "Validate a procedure manifest (YAML or JSON) and register it; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("path", help="manifest file (.yaml, .yml or .json)")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and show the plan; write nothing"
        )
        parser.add_argument("--user", help="register as this user (permissions are checked)")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="print the result as JSON"
        )

    def handle(self, *args, path, dry_run, user, as_json, **options):
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(f"No user named {user!r}.")
        try:
            result = register_manifest(read_manifest_file(path), by=by, dry_run=dry_run)
        except ManifestError as error:
            for problem in error.problems:
                self.stderr.write(f"{path}: {problem.pointer or '/'}: {problem.message}")
            raise CommandError(
                f"{path}: the manifest is invalid ({len(error.problems)} problem(s))."
            ) from error
        except PermissionDenied as error:
            raise CommandError(f"{path}: {error}") from error
        self._report(result, as_json=as_json)

    def _report(self, result, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        prefix = "would be " if result.dry_run else ""
        self.stdout.write(f"procedure {result.procedure}: {prefix}{result.procedure_action}")
        for number, action in result.versions.items():
            self.stdout.write(f"  version {number}: {prefix}{action}")
        for key, action in result.resources.items():
            self.stdout.write(f"  resource {key}: {prefix}{action}")
        if not result.changed:
            self.stdout.write("nothing to change: the registry already holds this manifest")
