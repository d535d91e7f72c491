"""The demo content: loads completely, twice without changes, and is said to be demo content."""

import pytest
from django.core.management import call_command

from datasets.models import Dataset
from publications.models import Publication
from registry.choices import ProcedureStatus, ResourceKind
from registry.models import Facility, Procedure, ProcedureVersion, Resource

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def demo(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("load_demo")


def snapshot() -> dict:
    return {
        "procedures": list(
            Procedure.objects.order_by("slug").values("slug", "status", "updated_at")
        ),
        "versions": list(ProcedureVersion.objects.order_by("pk").values("pk", "status")),
        "resources": Resource.objects.count(),
        "facilities": Facility.objects.count(),
        "datasets": list(Dataset.objects.order_by("pid").values("pid", "updated")),
        "publications": list(Publication.objects.order_by("doi").values("doi", "title")),
    }


def test_demo_is_rich_enough(demo):
    assert Facility.objects.count() >= 6
    published = Procedure.objects.filter(status=ProcedureStatus.PUBLISHED)
    assert published.count() >= 20
    techniques = {iri for p in published for iri in p.techniques.values_list("iri", flat=True)}
    assert len(techniques) >= 10
    learning = Resource.objects.filter(
        kind__in=[ResourceKind.TUTORIAL, ResourceKind.SIMULATION, ResourceKind.TRAINING]
    )
    assert learning.count() >= 20
    assert all(r.techniques.exists() for r in learning)
    assert Dataset.objects.count() >= 10
    assert Publication.objects.filter(is_demo=True).count() >= 4
    for procedure in Procedure.objects.all():
        assert "demo" in procedure.description.lower(), procedure.slug
        assert procedure.versions.exists()
        for version in procedure.versions.all():
            assert version.entry_point == f"{procedure.slug}/analysis.ipynb"


def test_load_demo_twice_changes_nothing(demo):
    before = snapshot()
    call_command("load_demo")
    assert snapshot() == before


def test_demo_users_have_roles(demo):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    assert users.get(username="admin").is_staff
    assert users.get(username="curator").curated_facilities.filter(slug="esrf").exists()
    assert not users.get(username="scientist").curated_facilities.exists()


def test_reproduce_option_gives_every_demo_publication_its_verdict(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    from publications.choices import ReproductionStatus
    from publications.reproduction import latest_reproduction

    settings.VAR_DIR = tmp_path
    settings.RUNS_DIR = tmp_path / "runs"
    settings.NEXUS_DATA_ROOTS = [tmp_path / "data"]
    with django_capture_on_commit_callbacks(execute=True):  # runs are sent after the commit
        call_command("load_demo", "--reproduce", "--no-users")  # eager Celery: they finish here
    verdicts = {
        p.doi: latest_reproduction(p).status for p in Publication.objects.filter(is_demo=True)
    }
    assert list(verdicts.values()).count(ReproductionStatus.REPRODUCED) >= 3, verdicts
    assert ReproductionStatus.DIFFERS in verdicts.values(), verdicts
    call_command("load_demo", "--reproduce", "--no-users")  # nothing new to start
    assert sum(p.reproductions.count() for p in Publication.objects.all()) == len(verdicts)
