"""Loading the registry's demo content from ``fixtures/``: facilities, instruments, procedures."""

from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from tqdm import tqdm

from ontologies.models import Term
from registry.manifest import ManifestError, read_manifest_file
from registry.models import Facility, Instrument
from registry.services import register_manifest

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
PANET = "http://purl.org/pan-science/PaNET/"


@transaction.atomic
def load_facilities(path: Path = FIXTURES_DIR / "facilities.yaml") -> int:
    """Create or update the facilities and instruments of the demo; return how many facilities."""
    data = yaml.safe_load(path.read_text())
    for item in data["facilities"]:
        fields = {
            k: item.get(k, "") for k in ("name", "short_name", "url", "country", "description")
        }
        facility, _ = Facility.objects.update_or_create(slug=item["slug"], defaults=fields)
        for entry in item.get("instruments", []):
            instrument, _ = Instrument.objects.update_or_create(
                facility=facility,
                slug=entry["slug"],
                defaults={"name": entry["name"], "url": entry.get("url", "")},
            )
            iris = [
                PANET + t if not t.startswith("http") else t for t in entry.get("techniques", [])
            ]
            instrument.techniques.set(Term.objects.filter(iri__in=iris))
    return len(data["facilities"])


def demo_manifests(directory: Path = FIXTURES_DIR / "procedures") -> list[Path]:
    """The manifest files of the demo procedures."""
    return sorted(directory.glob("*/procedure.yaml"))


def load_procedures(directory: Path = FIXTURES_DIR / "procedures", progress: bool = True) -> dict:
    """Register every demo manifest (idempotent); return counts of created/updated/unchanged."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    manifests = demo_manifests(directory)
    for path in tqdm(manifests, desc="procedures", unit="manifest", disable=not progress):
        try:
            result = register_manifest(read_manifest_file(path))
        except ManifestError as error:
            raise ManifestError(
                [type(p)(f"{path.name}:{p.pointer}", p.message) for p in error.problems]
            ) from error
        counts[result.procedure_action] += 1
    return counts
