"""The admin: every registry model listed and searchable; versions validated as manifests;
published versions read-only."""

import pytest

from registry.models import ProcedureVersion
from registry.services import register_manifest
from tests.registry.factories import UserFactory, manifest, version_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, terms, facilities):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model", ["facility", "instrument", "procedure", "procedureversion", "resource"]
)
def test_changelists_with_search(admin_client, model):
    register_manifest(manifest())
    response = admin_client.get(f"/admin/registry/{model}/?q=saxs")
    assert response.status_code == 200


def test_draft_version_edit_is_validated_as_manifest(admin_client):
    register_manifest(manifest(versions=[version_entry(status="draft")]))
    version = ProcedureVersion.objects.get()
    url = f"/admin/registry/procedureversion/{version.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data.update(
        procedure=version.procedure_id,
        version="1.0.0",
        kind="notebook",
        code_commit="not-a-commit",
        input_schema='{"type": "objekt"}',
        required_nexus='["NXentry/NXdata"]',
        outputs="[]",
        compute_resources="{}",
        base_version="",
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "40-hex" in str(errors["code_commit"])
    assert "Draft 2020-12" in str(errors["input_schema"])
    version.refresh_from_db()
    assert version.code_commit != "not-a-commit"


def test_published_version_is_read_only_in_admin(admin_client):
    register_manifest(manifest())
    version = ProcedureVersion.objects.get()
    response = admin_client.get(f"/admin/registry/procedureversion/{version.pk}/change/")
    form = response.context["adminform"].form
    assert "code_commit" not in form.fields
    assert "container_image" not in form.fields


def test_admin_accepts_a_git_at_repository_like_the_manifest(admin_client):
    register_manifest(manifest(versions=[version_entry(status="draft")]))
    version = ProcedureVersion.objects.get()
    url = f"/admin/registry/procedureversion/{version.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update(code_repository="git@github.com:example/saxs.git", base_version="")
    for name in ("input_schema", "required_nexus", "outputs", "compute_resources"):
        data[name] = form[name].value()
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    version.refresh_from_db()
    assert version.code_repository == "git@github.com:example/saxs.git"
    data["code_repository"] = "not a repository"
    refused = admin_client.post(url, data)
    errors = refused.context["adminform"].form.errors
    assert "git@host:path" in str(errors["code_repository"])
    version.refresh_from_db()
    assert version.code_repository == "git@github.com:example/saxs.git"
