"""Every admin page of every app has search and filters that work: each changelist answers a
search combined with each of its filters, and on the registry pages a search narrows the list."""

import warnings

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from rest_framework.authtoken.models import Token

from tests.portal.conftest import demo_content_for_module
from tests.registry.factories import UserFactory

pytestmark = pytest.mark.django_db

MODEL_ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
REGISTRY_ADMINS = [(m, a) for m, a in MODEL_ADMINS if m._meta.app_label == "registry"]


def label(item) -> str:
    """The model label of a (model, admin) pair, as a test id."""
    return item[0]._meta.label


@pytest.fixture(scope="module", autouse=True)
def admin_content(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo registry, an example dataset, a group and a token, for this module; rolled back
    after it so that other tests start from an empty database."""
    folder = tmp_path_factory.mktemp("admin-data")
    with demo_content_for_module(django_db_blocker, folder, "10.5072/admin:saxs"):
        with django_db_blocker.unblock():
            group = Group.objects.create(name="curators")
            group.permissions.add(*Permission.objects.filter(content_type__app_label="registry"))
            Token.objects.create(user=UserFactory(username="token-holder"))
        yield


@pytest.fixture
def admin_client(client):
    """A client logged in as a superuser."""
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def changelist_url(model) -> str:
    """The admin changelist of ``model``."""
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


@pytest.mark.parametrize("item", MODEL_ADMINS, ids=label)
def test_every_admin_has_search_and_filters(item):
    model, model_admin = item
    assert model_admin.search_fields, f"{model._meta.label} has no search_fields"
    assert model_admin.list_filter, f"{model._meta.label} has no list_filter"


@pytest.mark.parametrize("item", MODEL_ADMINS, ids=label)
def test_every_changelist_answers_a_search_with_each_filter(admin_client, item):
    model, _ = item
    url = changelist_url(model)
    response = admin_client.get(url, {"q": "a"})
    assert response.status_code == 200
    changelist = response.context["cl"]
    exercised = 0
    for spec in changelist.filter_specs:
        choice = next((c for c in spec.choices(changelist) if not c["selected"]), None)
        if choice is None:  # a filter over values no row has yet
            continue
        filtered = admin_client.get(url + choice["query_string"])
        # An invalid lookup is not an error page but a redirect to ?e=1: demand the list itself.
        assert filtered.status_code == 200, (spec.title, choice["query_string"])
        assert "q=a" in choice["query_string"]  # the search is kept with the filter
        assert filtered.context["cl"].result_count <= changelist.result_count
        exercised += 1
    assert exercised, f"no filter of {model._meta.label} offered a choice"


def field_value(obj, path: str) -> str:
    """The value of a search field (``procedure__slug``) on ``obj``."""
    for name in path.lstrip("^=@").split("__"):
        obj = getattr(obj, name)
    return str(obj)


@pytest.mark.parametrize("item", REGISTRY_ADMINS, ids=label)
def test_registry_search_narrows_the_list(admin_client, item):
    model, model_admin = item
    url = changelist_url(model)
    everything = admin_client.get(url).context["cl"]
    target = everything.queryset.order_by("pk").last()
    term = field_value(target, model_admin.search_fields[0])
    found = admin_client.get(url, {"q": term}).context["cl"]
    assert target in found.result_list
    assert 0 < found.result_count < everything.result_count
    nothing = admin_client.get(url, {"q": "no-such-thing-anywhere"}).context["cl"]
    assert nothing.result_count == 0


@pytest.mark.parametrize("item", MODEL_ADMINS, ids=label)
def test_admin_forms_say_which_url_scheme_they_assume(admin_client, item):
    """No form of the admin relies on Django 5's deprecated default scheme (http) for URLs."""
    model, _ = item
    obj = model._default_manager.first()
    urls = [changelist_url(model) + "add/"]
    if obj is not None:
        urls.append(changelist_url(model) + f"{obj.pk}/change/")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for url in urls:
            assert admin_client.get(url).status_code in (200, 403)
    assert not [w for w in caught if "assume_scheme" in str(w.message)]
