"""Fixtures of registry tests: a small ontology, facilities and users with roles."""

import pytest
from rest_framework.test import APIClient

from tests.registry.factories import FacilityFactory, UserFactory, small_hierarchy


@pytest.fixture
def terms(db):
    """SAS ⊃ {SAXS, SANS}."""
    return small_hierarchy()


@pytest.fixture
def facilities(db):
    """Two facilities: esrf and ill."""
    return {
        "esrf": FacilityFactory(slug="esrf", name="ESRF"),
        "ill": FacilityFactory(slug="ill", name="ILL"),
    }


@pytest.fixture
def users(db, facilities):
    """anonymous (None), a plain user, ESRF's curator, ILL's curator, staff."""
    esrf_curator = UserFactory(username="esrf-curator")
    facilities["esrf"].curators.add(esrf_curator)
    ill_curator = UserFactory(username="ill-curator")
    facilities["ill"].curators.add(ill_curator)
    return {
        "anonymous": None,
        "user": UserFactory(username="someone"),
        "own_curator": esrf_curator,
        "other_curator": ill_curator,
        "staff": UserFactory(username="staff", is_staff=True),
    }


@pytest.fixture
def api():
    """Build an API client logged in as ``user`` (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
