"""Project-wide checks: OpenAPI generation, production settings, migrations."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

PROJECT = Path(__file__).resolve().parent.parent


def test_openapi_schema_generates_without_warnings(tmp_path):
    """Every endpoint is described; drf-spectacular finds nothing to warn about."""
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process with exactly the given production environment."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_"))
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=clean, capture_output=True, text=True
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 30 + "-production-secret-" + "y" * 30,
        ALLOWED_HOSTS="registry.example.org",
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run_manage("check", ALLOWED_HOSTS="registry.example.org", VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = run_manage("check", SECRET_KEY="s" * 60, VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


@pytest.mark.django_db
def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


REGISTRY_PATHS = ("/api/v1/procedures/", "/api/v1/versions/", "/api/v1/resources/",
                  "/api/v1/facilities/", "/api/v1/instruments/")  # fmt: skip


def operation_has_example(operation: dict) -> bool:
    """True when the request body or any response of an OpenAPI operation carries an example."""
    bodies = [operation.get("requestBody", {})] + list(operation.get("responses", {}).values())
    for body in bodies:
        for media in body.get("content", {}).values():
            if media.get("examples") or media.get("example"):
                return True
    return False


def test_every_registry_endpoint_has_examples():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    missing = []
    for path, operations in schema["paths"].items():
        if not path.startswith(REGISTRY_PATHS) or path.endswith("crate.zip"):
            continue
        for method, operation in operations.items():
            if method in {"get", "post", "put", "patch"} and not operation_has_example(operation):
                missing.append(f"{method.upper()} {path}")
    assert not missing, missing
