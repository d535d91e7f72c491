"""Fuzzing the TRS API with schemathesis against the GA4GH TRS 2.1 spec, read in place.

The spec gets only the documented extension (JUPYTER, PLAIN_JUPYTER in the descriptor type
enums, as in test_trs.py). ``/service-info`` lives in a second file the spec refers to; it is
validated in test_trs.py and left out here. Every generated request, valid or not (ids with
any characters, unknown descriptor types), must answer without a server error and with a body of
the documented shape where the spec documents the status. The spec documents no error status for
some operations (``/tools`` and ``/tools/{id}/versions`` list only 200), so schemathesis'
status-code check would fault the spec rather than the server; instead every error answer must
be TRS's ``Error`` (``{"code", "message"}``).
"""

import json

import pytest
import schemathesis
import yaml
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.conftest import shared_path
from tests.interop.test_trs import EXTENSION_TYPES, ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def trs_schema(registry_data):
    """The TRS spec with the JUPYTER extension, served by the in-process WSGI application."""
    document = yaml.safe_load(shared_path("reference/ga4gh/trs-2.1.0.openapi.yaml").read_text())
    for name, extra in EXTENSION_TYPES.items():
        document["components"]["schemas"][name]["enum"].extend(extra)
    del document["paths"]["/service-info"]  # an external $ref; checked by test_trs.py
    return schemathesis.from_dict(document, app=get_wsgi_application(), base_url=ROOT)


schema = schemathesis.from_pytest_fixture("trs_schema")


def errors_are_trs_errors(response, case) -> None:
    """A 4xx answer has TRS's ``Error`` body: an integer ``code`` equal to the status and a
    ``message``."""
    if response.status_code < 400:
        return
    body = json.loads(response.get_data(as_text=True))  # a werkzeug response (WSGI call)
    assert set(body) == {"code", "message"}, f"not a TRS Error: {body}"
    assert body["code"] == response.status_code and body["message"], body


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_trs_answers_follow_the_spec(case):
    response = case.call_wsgi()
    case.validate_response(
        response,
        checks=(not_a_server_error, response_schema_conformance, errors_are_trs_errors),
    )


def test_unknown_paths_below_the_root_answer_a_trs_error(client, registry_data):
    for path in ("/tools/%3A", "/tools/saxs/versions/1.0.0/%00/descriptor", "/nothing/here"):
        response = client.get(ROOT + path)
        assert response.status_code == 404, path
        assert set(response.json()) == {"code", "message"}, path
