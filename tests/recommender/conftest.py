"""Fixtures of recommender tests: a small hierarchy, procedures at two facilities, a client."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from registry.choices import ProcedureStatus, VersionStatus
from registry.models import Procedure, ProcedureVersion
from tests.registry.factories import COMMIT, DIGEST, FacilityFactory, small_hierarchy


def make_procedure(slug, techniques, *, facilities=(), required=(), runs=0, status="published",
                   version_status=VersionStatus.PUBLISHED, keywords=(), published_at=None):  # fmt: skip
    """A procedure with one version, published unless told otherwise."""
    procedure = Procedure.objects.create(
        slug=slug, name=slug.replace("-", " "), summary=f"{slug} summary", license="MIT",
        keywords=list(keywords), status=status, successful_runs=runs,
    )  # fmt: skip
    procedure.techniques.set(techniques)
    procedure.facilities.set(facilities)
    ProcedureVersion.objects.create(
        procedure=procedure, version="1.0.0", status=version_status, kind="notebook",
        code_repository="https://github.com/example/x.git", code_commit=COMMIT,
        entry_point=f"{slug}/analysis.ipynb", container_image=f"ghcr.io/x/{slug}@{DIGEST}",
        required_nexus=list(required), published_at=published_at or timezone.now(),
    )  # fmt: skip
    return procedure


@pytest.fixture
def catalogue(db):
    """SAS ⊃ {SAXS, SANS}; procedures for each, one needing a detector, one deprecated."""
    terms = small_hierarchy()
    esrf = FacilityFactory(slug="esrf", name="ESRF")
    ill = FacilityFactory(slug="ill", name="ILL")
    return {
        "terms": terms,
        "saxs": make_procedure(
            "saxs-integration",
            [terms["saxs"]],
            facilities=[esrf],
            runs=3,
            keywords=["azimuthal integration"],
        ),  # fmt: skip
        "sas": make_procedure("sas-fit", [terms["sas"]], facilities=[esrf, ill], runs=10),
        "sans": make_procedure(
            "sans-reduction",
            [terms["sans"]],
            facilities=[ill],
            required=["NXentry/NXinstrument/NXdetector"],
        ),  # fmt: skip
        "old": make_procedure("saxs-legacy", [terms["saxs"]], status=ProcedureStatus.DEPRECATED),
    }


@pytest.fixture
def api():
    """An anonymous API client."""
    return APIClient()
