"""The project starts: settings load, URLs resolve, the home page and API schema answer."""

import pytest


@pytest.mark.django_db
def test_home_page_answers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Analysis registry" in response.content


@pytest.mark.django_db
def test_unknown_api_url_answers_in_error_shape(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "not_found"
    assert "/api/v1/no-such-thing/" in body["error"]["message"]
