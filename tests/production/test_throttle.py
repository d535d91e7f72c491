"""Upload endpoints are rate-limited per client: 429 with Retry-After, in the error shape."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

pytestmark = pytest.mark.django_db
UPLOADS = ["/api/v1/datasets/extract/", "/api/v1/recommendations/upload/"]


@pytest.fixture
def three_per_minute(monkeypatch):
    """The uploads scope at 3 requests a minute, with an empty throttle cache."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"uploads": "3/min"})
    cache.clear()
    yield
    cache.clear()


def test_the_uploads_scope_is_configured():
    from django.conf import settings

    assert "uploads" in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert (
        "rest_framework.throttling.ScopedRateThrottle"
        in (settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"])
    )


@pytest.mark.parametrize("url", UPLOADS)
def test_fourth_upload_in_a_minute_is_429_with_retry_after(three_per_minute, roles, url):
    client = APIClient()
    client.force_authenticate(roles["user"])
    for _ in range(3):
        assert client.post(url, {}, format="multipart").status_code == 400  # no file: counted
    response = client.post(url, {}, format="multipart")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60
    other_client = APIClient(REMOTE_ADDR="10.0.0.9")
    assert other_client.post(url, {}, format="multipart").status_code != 429


def test_reads_are_not_throttled(three_per_minute):
    client = APIClient()
    for _ in range(10):
        assert client.get("/api/v1/procedures/").status_code == 200
