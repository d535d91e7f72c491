"""Managing drafts in the curator area: edit, delete, deprecate, and who may do it."""

import pytest

from registry.models import Procedure, ProcedureVersion
from registry.services import publish_version
from tests.portal.conftest import make_user
from tests.portal.test_curator_and_runs import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(client, curator):
    """A draft version registered through the portal by the ESRF curator (logged in)."""
    client.force_login(curator)
    assert client.post("/curator/register/", form_data()).status_code == 302
    return ProcedureVersion.objects.get(procedure__slug="portal-test-saxs")


def edit_data(**changes) -> dict:
    """The edit form as a browser posts it (slug and version disabled), with ``changes``."""
    data = form_data()
    data.pop("slug")
    data.pop("version")
    data.update(changes)
    return data


def test_edit_form_is_prefilled_from_the_stored_version(client, draft):
    html = client.get(f"/curator/versions/{draft.pk}/edit/").content.decode()
    assert "<h1>Edit draft 1.0.0 of Portal test SAXS</h1>" in html
    assert 'value="https://github.com/example/portal-test.git"' in html
    assert 'value="portal-test-saxs"' in html and "disabled" in html
    assert "NXentry/NXdata" in html and "http://purl.org/pan-science/PaNET/PaNET01188" in html


def test_edit_saves_through_the_manifest(client, draft):
    page = client.post(
        f"/curator/versions/{draft.pk}/edit/",
        edit_data(summary="A changed summary.", entry_point="other.ipynb"),
    )
    assert page.status_code == 302
    draft.refresh_from_db()
    assert draft.entry_point == "other.ipynb" and draft.version == "1.0.0"
    assert draft.procedure.summary == "A changed summary."
    assert draft.procedure.slug == "portal-test-saxs"


def test_edit_keeps_slug_and_version_even_if_posted(client, draft):
    data = edit_data(slug="hijacked", version="9.9.9")
    assert client.post(f"/curator/versions/{draft.pk}/edit/", data).status_code == 302
    assert not Procedure.objects.filter(slug="hijacked").exists()
    assert list(draft.procedure.versions.values_list("version", flat=True)) == ["1.0.0"]


def test_edit_shows_validator_errors_next_to_fields(client, draft):
    page = client.post(f"/curator/versions/{draft.pk}/edit/", edit_data(commit="abc"))
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="id_commit_errors"' in html
    draft.refresh_from_db()
    assert draft.code_commit != "abc"


def test_edit_of_a_published_version_is_refused(client, draft):
    publish_version(draft)
    page = client.post(f"/curator/versions/{draft.pk}/edit/", edit_data(), follow=True)
    assert "only drafts can be edited" in page.content.decode()


def test_delete_draft_asks_then_deletes_on_post(client, draft):
    html = client.get(f"/curator/versions/{draft.pk}/delete/").content.decode()
    assert "Delete draft version 1.0.0 of Portal test SAXS?" in html
    assert "csrfmiddlewaretoken" in html
    assert ProcedureVersion.objects.filter(pk=draft.pk).exists()
    assert client.post(f"/curator/versions/{draft.pk}/delete/").status_code == 302
    assert not ProcedureVersion.objects.filter(pk=draft.pk).exists()


def test_delete_never_published_procedure(client, draft):
    assert "Delete procedure" in client.get("/curator/").content.decode()
    html = client.get("/curator/procedures/portal-test-saxs/delete/").content.decode()
    assert "Delete the procedure Portal test SAXS and its draft versions?" in html
    client.post("/curator/procedures/portal-test-saxs/delete/")
    assert not Procedure.objects.filter(slug="portal-test-saxs").exists()


def test_published_procedure_is_not_deleted(client, draft):
    publish_version(draft)
    page = client.post("/curator/procedures/portal-test-saxs/delete/", follow=True)
    assert "kept; deprecate" in page.content.decode()
    assert Procedure.objects.filter(slug="portal-test-saxs").exists()
    client.post(f"/curator/versions/{draft.pk}/delete/")
    assert ProcedureVersion.objects.filter(pk=draft.pk).exists()


def test_deprecate_a_published_version(client, draft):
    publish_version(draft)
    html = client.get("/procedures/portal-test-saxs/").content.decode()
    assert "Deprecate 1.0.0" in html
    assert client.get(f"/curator/versions/{draft.pk}/deprecate/").status_code == 405
    client.post(f"/curator/versions/{draft.pk}/deprecate/")
    draft.refresh_from_db()
    assert draft.status == "deprecated"


def test_deprecating_a_draft_shows_why(client, draft):
    page = client.post(f"/curator/versions/{draft.pk}/deprecate/", follow=True)
    assert "was not deprecated" in page.content.decode()


def test_anonymous_users_are_sent_to_login(client, draft):
    client.logout()
    for url in (
        f"/curator/versions/{draft.pk}/edit/",
        f"/curator/versions/{draft.pk}/delete/",
        "/curator/procedures/portal-test-saxs/delete/",
    ):
        page = client.get(url)
        assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")


def test_others_get_404_for_drafts_they_cannot_see(client, draft):
    client.force_login(make_user("other-curator", ["ill"]))
    assert client.get(f"/curator/versions/{draft.pk}/edit/").status_code == 404
    assert client.post(f"/curator/versions/{draft.pk}/delete/").status_code == 404
    assert client.post("/curator/procedures/portal-test-saxs/delete/").status_code == 404
    assert client.get("/curator/versions/999999/edit/").status_code == 404
    assert ProcedureVersion.objects.filter(pk=draft.pk).exists()


def test_others_get_403_for_published_versions_they_may_read(client, draft):
    publish_version(draft)
    client.force_login(make_user("reader"))
    assert client.post(f"/curator/versions/{draft.pk}/deprecate/").status_code == 403
    assert client.post("/curator/procedures/portal-test-saxs/delete/").status_code == 403
    html = client.get("/procedures/portal-test-saxs/").content.decode()
    assert "Deprecate 1.0.0" not in html
    draft.refresh_from_db()
    assert draft.status == "published"
