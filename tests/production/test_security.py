"""Production hardening: security headers, secure cookies, CSRF on every form, check --deploy."""

import re
import secrets
from pathlib import Path

import pytest
from django.test import Client, override_settings

from tests.test_project import run_manage

pytestmark = pytest.mark.django_db
PROJECT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": False,
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
}


@override_settings(**PRODUCTION)
@pytest.mark.parametrize("path", ["/", "/api/v1/procedures/", "/api/schema/", "/accounts/login/"])
def test_security_headers_on_pages_and_api(path):
    response = Client().get(path, secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@override_settings(**PRODUCTION)
def test_plain_http_is_redirected_to_https():
    response = Client().get("/api/v1/procedures/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    behind_proxy = Client().get("/api/v1/procedures/", HTTP_X_FORWARDED_PROTO="https")
    assert behind_proxy.status_code == 200


@override_settings(**PRODUCTION)
def test_session_and_csrf_cookies_are_secure(roles):
    client = Client()
    login_page = client.get("/accounts/login/", secure=True)
    csrf = login_page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = client.post(
        "/accounts/login/",
        {"username": "someone", "password": "pw", "csrfmiddlewaretoken": csrf.value},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_every_post_form_carries_a_csrf_token():
    templates = [*PROJECT.glob("templates/**/*.html"), *PROJECT.glob("*/templates/**/*.html")]
    missing = []
    for template in templates:
        text = template.read_text()
        for form in re.finditer(r"<form\b[^>]*>.*?</form>", text, re.S | re.I):
            is_post = re.search(r"method=[\"']?post", form.group(0)[:300], re.I)
            if is_post and "{% csrf_token %}" not in form.group(0):
                missing.append(f"{template.relative_to(PROJECT)}:{form.group(0)[:60]}")
    assert templates and not missing, missing


def test_no_view_is_csrf_exempt():
    offenders = [
        str(path.relative_to(PROJECT))
        for app in ("config", "registry", "datasets", "recommender", "execution", "portal", "audit")
        for path in (PROJECT / app).rglob("*.py")
        if "csrf_exempt" in path.read_text()
    ]
    assert not offenders, offenders


@pytest.mark.parametrize("path", ["/accounts/login/", "/upload/"])
def test_a_form_post_without_token_is_refused(roles, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(roles["user"])
    response = client.post(path, {"username": "someone", "password": "pw"})
    assert response.status_code == 403


def test_session_api_writes_need_csrf(roles):
    client = Client(enforce_csrf_checks=True)
    client.force_login(roles["own_curator"])
    response = client.post("/api/v1/procedures/", {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_check_deploy_is_clean_with_the_serve_environment(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="registry.example.org", VAR_DIR=str(tmp_path),
        CACHE_URL="", THROTTLE_UPLOADS="10/min",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
