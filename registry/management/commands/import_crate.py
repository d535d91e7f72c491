"""Register what a crate (zip) made by this registry holds: a procedure version's Workflow
RO-Crate, or a crate of another kind handed to its app (a publication bundle)."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from config.api.errors import DomainError
from registry.interop.crate import MAX_CRATE_BYTES, CrateError, import_crate
from registry.interop.importers import importer_for
from registry.manifest import ManifestError


class Command(BaseCommand):
    """``manage.py import_crate FILE``: validated like any manifest; nothing written on error."""

    help = "Register a procedure version from its Workflow RO-Crate, or a publication bundle (zip)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the crate zip")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No crate file at {path}.")
        importer = importer_for(path)
        if importer is not None:
            self.stdout.write(self.import_other(importer, path))
            return
        if path.stat().st_size > MAX_CRATE_BYTES:
            raise CommandError(f"{path} is larger than {MAX_CRATE_BYTES // 2**20} MiB.")
        try:
            results = import_crate(path.read_bytes())
        except CrateError as error:
            raise CommandError(f"{path}: {error.message}") from error
        except ManifestError as error:
            raise CommandError(f"{path}: invalid procedure manifest: {error}") from error
        except DomainError as error:
            raise CommandError(f"{path}: {error.message}") from error
        except ValidationError as error:
            raise CommandError(f"{path}: {'; '.join(error.messages)}") from error
        last = results[-1].as_dict()
        versions = {k: v for r in results for k, v in r.versions.items()}
        self.stdout.write(f"{last['procedure']}: versions {versions}")

    def import_other(self, importer, path: Path) -> str:
        """Hand the crate to the app that made it; its errors become one line."""
        try:
            return importer.import_file(path)
        except DomainError as error:
            raise CommandError(f"{path}: {error.message}") from error
        except ValidationError as error:
            raise CommandError(f"{path}: {'; '.join(error.messages)}") from error
        except (ManifestError, PermissionDenied) as error:
            raise CommandError(f"{path}: {' '.join(str(error).split())}") from error
