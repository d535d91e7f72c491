"""Fixtures of registry tests: API clients (the ontology, facilities and users with roles are
in tests/conftest.py, shared with the production tests)."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    """Build an API client logged in as ``user`` (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
