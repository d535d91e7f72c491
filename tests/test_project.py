"""Project-wide checks: OpenAPI generation, production settings, migrations, dependencies."""

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.core.management import call_command
from packaging.requirements import Requirement

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


BINARY = {"type": "string", "format": "binary"}


@pytest.fixture(scope="module")
def openapi():
    """The project's OpenAPI document, as drf-spectacular generates it."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def operations(openapi):
    """Every (method, path, operation) of the document."""
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, operation


def operation_has_example(operation: dict) -> bool:
    """True when the operation's own request body or responses carry an example.

    The shared error responses (``$ref`` to ``#/components/responses/``) do not count: they
    say nothing about this operation. A binary download counts when it says what it holds.
    """
    bodies = [operation.get("requestBody", {})] + list(operation.get("responses", {}).values())
    for body in bodies:
        for media in body.get("content", {}).values():
            if media.get("examples") or media.get("example"):
                return True
            if media.get("schema") == BINARY and body.get("description"):
                return True
    return False


def test_every_operation_has_examples(openapi):
    missing = [f"{m} {p}" for m, p, op in operations(openapi) if not operation_has_example(op)]
    assert not missing, missing


def resolve(openapi, node: dict) -> dict:
    """Follow a local ``$ref`` of the document."""
    while "$ref" in node:
        for part in node["$ref"].removeprefix("#/").split("/"):
            openapi = openapi[part]
        node = openapi
    return node


def test_every_api_error_response_is_the_error_shape(openapi):
    """Under /api/, every 4xx and 5xx documents ``{"error": {"code", "message", "details"}}``."""
    error = openapi["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(resolve(openapi, error["properties"]["error"])["required"]) == {
        "code", "message", "details"
    }  # fmt: skip
    wrong = []
    for method, path, operation in operations(openapi):
        for status, response in operation["responses"].items():
            if not path.startswith("/api/") or status[0] not in "45":
                continue
            content = resolve(openapi, response).get("content", {})
            schemas = [media.get("schema") for media in content.values()]
            if not schemas or any(s != {"$ref": "#/components/schemas/Error"} for s in schemas):
                wrong.append(f"{method} {path} {status}")
    assert not wrong, wrong


def documented(openapi, method: str, path: str) -> set[str]:
    return set(openapi["paths"][path][method.lower()]["responses"])


def test_error_statuses_follow_what_each_view_can_answer(openapi):
    # Every operation: an invalid token (401) and a database outage (503).
    for method, path, operation in operations(openapi):
        assert {"401", "503"} <= set(operation["responses"]), (method, path)
    assert {"400", "404"} <= documented(openapi, "GET", "/api/v1/procedures/")  # filters, pages
    detail = documented(openapi, "GET", "/api/v1/facilities/{slug}/")
    assert "404" in detail and "400" not in detail and "403" not in detail  # anyone reads
    assert "403" in documented(openapi, "GET", "/api/v1/audit/")  # staff only
    assert {"400", "403", "415"} <= documented(openapi, "POST", "/api/v1/facilities/")
    uploads = documented(openapi, "POST", "/api/v1/datasets/extract/")
    assert {"413", "429"} <= uploads
    assert "413" not in documented(openapi, "POST", "/api/v1/facilities/")
    assert "409" in documented(openapi, "DELETE", "/api/v1/procedures/{slug}/")
    # WES answers only its own codes (415 is folded into 400).
    assert "415" not in documented(openapi, "POST", "/ga4gh/wes/v1/runs")
    # Outside /api/ the database outage is a plain-text page (config.middleware).
    outage = openapi["paths"]["/panosc/Datasets"]["get"]["responses"]["503"]
    assert list(outage["content"]) == ["text/plain"]
    # Errors are rendered like the data: JSON-LD views document JSON-LD errors.
    not_found = resolve(
        openapi, openapi["paths"]["/api/v1/techniques/{id}/"]["get"]["responses"]["404"]
    )
    assert set(not_found["content"]) == {"application/json", "application/ld+json"}


def test_every_dependency_has_a_version_range():
    """pyproject.toml bounds each dependency both ways, so a new major release never breaks a
    fresh install unnoticed."""
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    optional = [r for group in project.get("optional-dependencies", {}).values() for r in group]
    unbounded = []
    for text in [*project["dependencies"], *optional]:
        operators = {spec.operator for spec in Requirement(text).specifier}
        if not operators & {"<", "<=", "~=", "=="} or not operators & {">", ">=", "~=", "=="}:
            unbounded.append(text)
    assert unbounded == []


DOCUMENTED_MODULES = [
    "registry/api/views.py",
    "registry/api/filtersets.py",
    "registry/admin.py",
    "registry/permissions.py",
    "ontologies/nxdl.py",
    "ontologies/hierarchy.py",
]


def undocumented(path: Path) -> list[str]:
    """Public functions, classes and methods of a module without a docstring (``Meta`` aside)."""
    missing = []

    def walk(node, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if child.name.startswith("_") or child.name == "Meta":
                continue
            if ast.get_docstring(child) is None:
                missing.append(f"{path.name}:{child.lineno} {prefix}{child.name}")
            if isinstance(child, ast.ClassDef):
                walk(child, f"{prefix}{child.name}.")

    walk(ast.parse(path.read_text()), "")
    return missing


@pytest.mark.parametrize("module", DOCUMENTED_MODULES)
def test_public_functions_and_methods_have_docstrings(module):
    assert undocumented(PROJECT / module) == []
