"""Terms edited one at a time (the admin, the shell) keep the closure, the revision token and
the announcements of changed terms in step, and a cycle is refused before it is written."""

import pytest
from django.db import transaction

from config.api.errors import DomainError
from ontologies import revision, services
from ontologies.models import HierarchyRevision, Term, TermClosure
from ontologies.signals import ontology_changed
from tests.ontologies.conftest import EX
from tests.registry.factories import UserFactory

pytestmark = pytest.mark.django_db


def term(n: int) -> Term:
    return Term.objects.get(iri=f"{EX}T{n}")


def depth(ancestor: int, descendant: int) -> int | None:
    """The closure's distance from term ``ancestor`` down to term ``descendant``."""
    link = TermClosure.objects.filter(ancestor=term(ancestor), descendant=term(descendant))
    return link.values_list("depth", flat=True).first()


def pending() -> tuple[bool, list[str]]:
    row = HierarchyRevision.objects.get()
    return row.closure_stale, row.changed_iris


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def announced():
    """The ``ontology_changed`` announcements sent while the test runs."""
    sent = []

    def receive(sender, name, changed_iris, **kwargs):
        sent.append((name, changed_iris))

    ontology_changed.connect(receive, dispatch_uid="test-announced")
    yield sent
    ontology_changed.disconnect(dispatch_uid="test-announced")


def post_term_form(admin_client, target: Term, **changes):
    """POST the admin change form of ``target`` as shown, with ``changes`` applied."""
    url = f"/admin/ontologies/term/{target.pk}/change/"
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data["synonyms"] = form["synonyms"].value()
    data["parents"] = [p.pk for p in target.parents.all()]
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    data.update(changes)
    return admin_client.post(url, {k: v for k, v in data.items() if v is not None})


def test_moving_a_term_in_the_admin_rebuilds_the_closure_after_the_commit(
    small, admin_client, announced, django_capture_on_commit_callbacks
):
    """'imaging' (T2) moved below 'scattering' (T1): the closure knows the new path as soon as
    the edit commits, the token changed, and the moved term was announced for the index."""
    assert depth(1, 2) is None
    before = revision.current_token()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_term_form(admin_client, term(2), parents=[term(1).pk])
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(term(2).parents.all()) == [term(1)]
    assert depth(1, 2) == 1
    assert depth(0, 2) == 2  # no longer straight below the root
    assert depth(0, 4) == 3  # T4 -> T3 -> T1 -> T0 is still the shortest path
    assert revision.current_token() != before
    assert pending() == (False, [])
    assert announced == [("test", [f"{EX}T2"])]


def test_the_admin_refuses_a_parent_below_the_term(small, admin_client):
    """Putting 'scattering' (T1) below 'deep scattering imaging' (T4), which is below it, is a
    form error naming the cycle; nothing is written."""
    response = post_term_form(admin_client, term(1), parents=[term(4).pk])
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors["parents"])
    assert "cycle" in errors
    assert "deep scattering imaging" in errors
    assert list(term(1).parents.all()) == [term(0)]
    assert pending() == (False, [])


def test_the_admin_refuses_a_term_as_its_own_parent(small, admin_client):
    response = post_term_form(admin_client, term(3), parents=[term(3).pk])
    assert response.status_code == 200
    assert "cycle" in str(response.context["adminform"].form.errors["parents"])


@pytest.mark.parametrize(
    "edit",
    [
        lambda: term(0).parents.add(term(4)),  # the root below a leaf
        lambda: term(4).children.add(term(1)),  # the same from the other end
        lambda: term(1).parents.add(term(1)),  # a term as its own parent
    ],
    ids=["parents", "children", "itself"],
)
def test_a_cycle_made_in_code_is_refused_before_it_is_written(small, edit):
    edges = set(Term.parents.through.objects.values_list("from_term_id", "to_term_id"))
    with pytest.raises(DomainError) as caught, transaction.atomic():  # add() has no savepoint
        edit()
    assert caught.value.code == "ontology_cycle"
    assert set(Term.parents.through.objects.values_list("from_term_id", "to_term_id")) == edges


def test_deleting_a_term_rebuilds_the_closure(small, django_capture_on_commit_callbacks):
    """Without 'scattering imaging' (T3), 'deep scattering imaging' (T4) has no ancestor left;
    the cascade alone would have kept its links to T1, T2 and T0."""
    with django_capture_on_commit_callbacks(execute=True):
        term(3).delete()
    assert services.ancestor_ids(term(4).pk) == {term(4).pk}


def test_a_new_term_gets_its_closure_rows(small, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        new = Term.objects.create(iri=f"{EX}T7", label="deeper still", ontology="test")
        new.parents.add(term(4))
    assert depth(7, 7) == 0
    assert depth(0, 7) == 4


def test_a_label_edit_is_announced_without_a_rebuild(
    small, announced, monkeypatch, django_capture_on_commit_callbacks
):
    rebuilds = []
    monkeypatch.setattr(services, "rebuild_closure", lambda: rebuilds.append(1))  # a counter
    before = revision.current_token()
    with django_capture_on_commit_callbacks(execute=True):
        scattering = term(1)
        scattering.label = "scattering techniques"
        scattering.save()
    assert rebuilds == []
    assert announced == [("test", [f"{EX}T1"])]
    assert revision.current_token() != before


def test_several_edits_in_one_transaction_rebuild_once(
    small, monkeypatch, django_capture_on_commit_callbacks
):
    rebuild = services.rebuild_closure
    rebuilds = []
    monkeypatch.setattr(services, "rebuild_closure", lambda: rebuilds.append(rebuild()))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        term(6).parents.add(term(2))
        term(5).parents.add(term(1))
        term(5).parents.remove(term(0))
    assert len(callbacks) == 3
    assert len(rebuilds) == 1
    assert depth(2, 6) == 1
    assert depth(1, 5) == 1
    assert depth(0, 5) == 2


def test_a_rolled_back_edit_leaves_no_notes(small):
    before = revision.current_token()
    with pytest.raises(RuntimeError), transaction.atomic():
        term(6).parents.add(term(2))
        assert pending() == (True, [f"{EX}T6"])
        raise RuntimeError("rolled back")
    assert pending() == (False, [])
    assert revision.current_token() == before
    assert depth(2, 6) is None


def test_a_failed_rebuild_keeps_the_notes(small, caplog):
    """A cycle written around the checks (raw rows) cannot be rebuilt: the refresh logs it and
    leaves the closure marked stale, so the next refresh tries again."""
    Term.parents.through.objects.create(from_term_id=term(0).pk, to_term_id=term(4).pk)
    revision.note_edit([f"{EX}T0"], structure=True)
    services.refresh_hierarchy()
    assert "could not be refreshed" in caplog.text
    assert pending() == (True, [f"{EX}T0"])
