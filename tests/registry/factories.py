"""factory_boy factories and manifest builders for registry tests."""

import copy

import factory
from django.contrib.auth import get_user_model

from ontologies.models import Term
from registry.models import Facility

PANET = "http://purl.org/pan-science/PaNET/"
SAXS = PANET + "PaNET01188"
SAS = PANET + "PaNET01124"
SANS = PANET + "PaNET01189"
DIGEST = "sha256:" + "a" * 64
COMMIT = "0123456789abcdef0123456789abcdef01234567"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a usable password ``pw``."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


class TermFactory(factory.django.DjangoModelFactory):
    """A technique term."""

    class Meta:
        model = Term
        django_get_or_create = ("iri",)

    iri = factory.Sequence(lambda n: f"{PANET}PaNET9{n:04d}")
    label = factory.Sequence(lambda n: f"technique {n}")


class FacilityFactory(factory.django.DjangoModelFactory):
    """A facility."""

    class Meta:
        model = Facility
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"facility{n}")
    name = factory.Sequence(lambda n: f"Facility {n}")


def small_hierarchy() -> dict[str, Term]:
    """SAS with narrower SAXS and SANS, closure rebuilt."""
    from ontologies.services import rebuild_closure

    sas = TermFactory(iri=SAS, label="small angle scattering", synonyms=["SAS"])
    saxs = TermFactory(iri=SAXS, label="small angle x-ray scattering", synonyms=["SAXS"])
    sans = TermFactory(iri=SANS, label="small angle neutron scattering", synonyms=["SANS"])
    saxs.parents.add(sas)
    sans.parents.add(sas)
    rebuild_closure()
    return {"sas": sas, "saxs": saxs, "sans": sans}


def version_entry(number: str = "1.0.0", status: str = "published", **changes) -> dict:
    """A valid manifest version entry."""
    entry = {
        "version": number,
        "status": status,
        "kind": "notebook",
        "code": {
            "repository": "https://github.com/example/saxs.git",
            "commit": COMMIT,
            "entry_point": "saxs/analysis.ipynb",
        },
        "container": f"ghcr.io/example/saxs:{number}@{DIGEST}",
        "inputs": {
            "schema": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": {"bins": {"type": "integer", "minimum": 1, "default": 100}},
            },
            "required_nexus": ["NXentry/NXinstrument/NXdetector"],
        },
        "outputs": [{"name": "profile.csv", "media_type": "text/csv"}],
        "resources": {"cpu": 1, "memory_mb": 1024},
        "changelog": "First release.",
    }
    entry.update(changes)
    return entry


def manifest(
    slug: str = "saxs-integration",
    facilities=("esrf",),
    techniques=(SAXS,),
    versions=None,
    **procedure_changes,
) -> dict:
    """A valid manifest for one procedure."""
    procedure = {
        "slug": slug,
        "name": "SAXS integration",
        "summary": "Radial profile I(q) from a SAXS detector image.",
        "description": "Integrates 2D SAXS images azimuthally.",
        "license": "MIT",
        "keywords": ["saxs", "azimuthal integration"],
        "facilities": list(facilities),
        "techniques": list(techniques),
        "resources": [
            {"kind": "tutorial", "title": "SAXS basics", "url": "https://example.org/saxs-basics"}
        ],
    }
    procedure.update(procedure_changes)
    return {
        "manifest_version": 1,
        "procedure": procedure,
        "versions": versions if versions is not None else [version_entry()],
    }


def changed(document: dict, path: str, value) -> dict:
    """A copy of ``document`` with the value at a slash-separated ``path`` replaced (or deleted
    when ``value`` is ``DELETE``)."""
    result = copy.deepcopy(document)
    *parents, last = path.strip("/").split("/")
    node = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key = int(last) if isinstance(node, list) else last
    if value is DELETE:
        del node[key]
    else:
        node[key] = value
    return result


DELETE = object()
