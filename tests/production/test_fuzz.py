"""Fuzzing the whole OpenAPI with schemathesis, in-process through the WSGI application.

Every operation of ``/api/schema/`` gets a bounded, derandomized set of generated requests, as
anonymous and as a curator with a real token. No response may be a 5xx, and every response
must match the schema. Findings are kept as plain regression tests in test_fuzz_regressions.py.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
MAX_EXAMPLES = 10


@pytest.fixture
def api_schema(registry, request):
    """The project's OpenAPI, served to the in-process WSGI application, with demo-like data."""
    cache.clear()  # upload throttling must not carry over between operations
    raw = Client().get("/api/schema/", {"format": "json"}).json()
    request.getfixturevalue("wsgi_keeps_connection")  # after the test client, which reconnects
    return schemathesis.from_dict(raw, app=get_wsgi_application(), base_url="/")


schema = schemathesis.from_pytest_fixture("api_schema")
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
)


SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@SETTINGS
def test_anonymous_requests_never_fail(case):
    response = case.call_wsgi()
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@SETTINGS
def test_curator_requests_never_fail(case, registry):
    token, _ = Token.objects.get_or_create(user=registry["own_curator"])
    response = case.call_wsgi(headers={"Authorization": f"Token {token.key}"})
    case.validate_response(response, checks=CHECKS)
