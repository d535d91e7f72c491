"""Fixtures of the production tests: roles, token clients and a small registry."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registry import services
from tests.production.servers import private_postgres, private_redis  # noqa: F401 (fixtures)
from tests.registry.factories import (
    manifest,
    version_entry,
)


@pytest.fixture
def wsgi_keeps_connection():
    """Calls through the raw WSGI handler must not close the test's database connection.

    Django's test client disconnects ``close_old_connections`` from the request signals; a
    bare WSGI call (schemathesis) does not, and on PostgreSQL closing the connection inside the
    test transaction breaks every later query.
    """
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def roles(users):
    """The five roles of the permission model (anonymous is None): the shared ``users``."""
    return users


@pytest.fixture
def client_as():
    """Build an API client authenticating with a real token as ``user`` (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


# A version number nothing else in the registry shows (the WES service says "1.1.0"), so a
# response containing it leaks the draft.
DRAFT_VERSION = "1.1.0-rc.7"


@pytest.fixture
def registry(terms, roles):
    """ESRF procedures: one published (1.0.0 published, a 1.1.0-rc.7 draft) and one draft-only."""
    services.register_manifest(
        manifest(versions=[version_entry("1.0.0"), version_entry(DRAFT_VERSION, status="draft")]),
        by=roles["own_curator"],
    )
    services.register_manifest(
        manifest(slug="saxs-draft", versions=[version_entry("0.1.0", status="draft")]),
        by=roles["own_curator"],
    )
    return roles
