"""Token revocation: one's own token, and any token by staff; both audited."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_obtain_then_revoke_own_token(roles):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "esrf-curator", "password": "pw"}, format="json"
    )
    assert response.status_code == 200
    key = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/procedures/").status_code == 200

    revoked = client.delete("/api/v1/auth/token/")
    assert revoked.status_code == 200
    assert revoked.json() == {"revoked": True, "username": "esrf-curator"}
    assert not Token.objects.filter(key=key).exists()
    after = client.get("/api/v1/procedures/")
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "authentication_failed"
    assert AuditEntry.objects.filter(action="revoke_token", actor_name="esrf-curator").exists()


def test_revoking_needs_authentication():
    response = APIClient().delete("/api/v1/auth/token/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_wrong_password_is_a_400_in_the_error_shape(roles):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "esrf-curator", "password": "no"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def test_staff_revoke_anyones_token(roles, client_as):
    victim = client_as(roles["own_curator"])
    assert victim.get("/api/v1/procedures/").status_code == 200
    staff = client_as(roles["staff"])
    response = staff.delete("/api/v1/auth/tokens/esrf-curator/")
    assert response.status_code == 200 and response.json()["revoked"] is True
    assert victim.get("/api/v1/procedures/").status_code == 401
    entry = AuditEntry.objects.get(action="revoke_token")
    assert (entry.actor_name, entry.details) == ("staff", {"by": "staff"})
    again = staff.delete("/api/v1/auth/tokens/esrf-curator/")
    assert again.json()["revoked"] is False
    assert staff.delete("/api/v1/auth/tokens/nobody/").status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "user", "other_curator", "own_curator"])
def test_only_staff_revoke_others_tokens(roles, client_as, role):
    client_as(roles["user"])  # give the target a token
    response = client_as(roles[role]).delete("/api/v1/auth/tokens/someone/")
    assert response.status_code in (401, 403)
    assert Token.objects.filter(user=roles["user"]).exists()
