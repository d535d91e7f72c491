"""Permission matrix generated from the URL configuration.

Every API, GA4GH, PaNOSC and portal route is called with every method it accepts as anonymous,
a plain user, another facility's curator, the owning curator and staff, against objects chosen
to leak if anything can: a draft procedure and a draft version, a private dataset, a curator's
run. Each route must be declared in ROUTES (a new route fails the test until it is), statuses
must match the declared rule, and no response to a role without access may contain a secret.
"""

import re

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEntry
from datasets.models import Dataset
from execution.models import Run
from ontologies.models import NexusDefinitionMapping
from registry.models import Instrument, ProcedureVersion, Resource

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
ROLES = ("anonymous", "user", "other_curator", "own_curator", "staff")
DENIED = {302, 401, 403, 404}
# A write by a role without the right may also fail validation first (the body is empty).
DENIED_WRITE = DENIED | {400, 405}
QUERIES = {"technique-lookup": "?iri=http://purl.org/pan-science/PaNET/PaNET01188"}
PRIVATE_PID = "10.5072/private:secret-001"

# Who gets 200 on GET for each rule (others must be denied and see no secret).
READERS = {
    "public": set(ROLES),
    "owners": {"own_curator", "staff"},  # drafts, the private dataset, the curator's run
    "staff": {"staff"},
    "authenticated": {"user", "other_curator", "own_curator", "staff"},
    "curators": {"other_curator", "own_curator", "staff"},
    "nobody": set(),  # a draft behind an endpoint that only ever shows published procedures
}
EVERYONE, OWNERS, STAFF, AUTH = (
    set(ROLES),
    {"own_curator", "staff"},
    {"staff"},
    READERS["authenticated"],
)
CURATORS = READERS["curators"]

# route name: (GET rule, roles allowed to write with the other methods, roles that may get a
# 404 on GET although they may read: a missing output file, a format not offered).
ROUTES = {
    "api-root": ("public", set()),
    "technique-list": ("public", set()),
    "technique-lookup": ("public", set()),
    "technique-tree": ("public", set()),
    "technique-detail": ("public", set()),
    "nexus-definition-list": ("public", set()),
    "nexus-definition-detail": ("public", set(), EVERYONE),  # no definitions imported
    "procedure-version-crate": ("owners", set()),
    "procedure-manifest-schema": ("public", set()),
    "procedure-list": ("public", CURATORS),
    "procedure-validate": ("public", EVERYONE),
    "procedure-detail": ("owners", OWNERS),
    "procedure-deprecate": ("owners", OWNERS),
    "procedure-manifest": ("owners", set()),
    "procedure-version-list": ("public", OWNERS),  # of a published procedure: drafts hidden
    "procedure-version-detail": ("owners", OWNERS),
    "procedure-version-deprecate": ("owners", OWNERS),
    "procedure-version-publish": ("owners", OWNERS),
    "version-list": ("public", set()),
    "version-detail": ("owners", set()),
    "resource-list": ("public", CURATORS),
    "resource-detail": ("public", OWNERS),
    "facility-list": ("public", STAFF),
    "facility-detail": ("public", STAFF),
    "instrument-list": ("public", STAFF),
    "instrument-detail": ("public", STAFF),
    "dataset-recommendations": ("owners", set()),
    "recommendations": ("public", EVERYONE),
    "recommendations-upload": ("public", EVERYONE),
    "procedure-datasets": ("nobody", set()),
    "recommender-search": ("public", set()),
    "dataset-plot": ("owners", set(), OWNERS),
    "dataset-list": ("public", AUTH),
    "dataset-extract": ("public", AUTH),
    "dataset-detail": ("owners", {"own_curator", "staff"}),
    "run-crate": ("owners", set(), OWNERS),
    "run-output": ("owners", set(), OWNERS),
    "run-list": ("authenticated", AUTH),
    "run-detail": ("owners", set()),
    "run-cancel": ("owners", OWNERS),
    "api-token": ("public", AUTH),  # POST (obtain) answers 400 without credentials
    "api-token-revoke": ("public", STAFF),
    "audit-entry-list": ("staff", set()),
    "audit-entry-detail": ("staff", set()),
    "schema": ("public", set()),
    "swagger-ui": ("public", set()),
    "panosc-datasets": ("public", set()),
    "panosc-datasets-count": ("public", set()),
    "panosc-dataset": ("owners", set()),
    "panosc-documents": ("public", set()),
    "panosc-documents-count": ("public", set()),
    "panosc-document": ("public", set(), EVERYONE),
    "trs-service-info": ("public", set()),
    "trs-tool-classes": ("public", set()),
    "trs-tools": ("public", set()),
    "trs-tool": ("owners", set(), OWNERS),
    "trs-versions": ("owners", set(), OWNERS),
    "trs-version": ("owners", set(), OWNERS),
    "trs-containerfile": ("owners", set(), OWNERS),
    "trs-descriptor": ("owners", set(), OWNERS),
    "trs-descriptor-file": ("owners", set(), OWNERS),
    "trs-files": ("owners", set(), OWNERS),
    "trs-tests": ("owners", set(), OWNERS),
    "wes-service-info": ("authenticated", set()),  # the WES app answers 401 to anonymous
    "wes-runs": ("authenticated", AUTH),
    "wes-run": ("owners", set()),
    "wes-run-status": ("owners", set()),
    "wes-run-cancel": ("owners", OWNERS),
}
SKIPPED_PREFIXES = ("admin/", "accounts/", "media/", "static/")
# Routes of apps still being built (publications): declare them when their permissions settle.
PENDING = re.compile(r"^(publication|reproduction)-")


def walk(patterns, prefix=""):
    """(route text, name, callback) of every URL pattern."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name, pattern.callback


def methods_of(callback) -> list[str]:
    """The HTTP methods a view answers (besides HEAD and OPTIONS)."""
    actions = getattr(callback, "actions", None)
    if actions:  # DRF adds "head" to this dict on the first GET
        return sorted(set(actions) - {"head", "options"})
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view is None:
        return ["get"]
    return sorted(m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m))


def api_routes() -> dict[str, tuple[str, list[str]]]:
    """name → (route, methods) of every API-like route (the first route of a name wins)."""
    found = {}
    for route, name, callback in walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES) or "format" in route or name is None:
            continue
        if PENDING.match(name):
            continue
        if not route.startswith(("api/", "ga4gh/", "panosc/")):
            continue
        found.setdefault(name, (route, methods_of(callback)))
    return found


@pytest.fixture
def world(registry, terms):
    """The objects that would leak: drafts, a private dataset, a curator's run."""
    own = registry["own_curator"]
    draft_version = ProcedureVersion.objects.get(
        procedure__slug="saxs-integration", version="1.1.0"
    )
    published = ProcedureVersion.objects.get(procedure__slug="saxs-integration", version="1.0.0")
    private = Dataset.objects.create(
        pid=PRIVATE_PID, title="Secret sample", is_public=False, owner=own
    )
    private.techniques.add(terms["saxs"])
    run = Run.objects.create(version=published, owner=own, dataset=private, parameters={})
    NexusDefinitionMapping.objects.get_or_create(definition="NXsas", term=terms["saxs"])
    instrument = Instrument.objects.create(
        facility_id=registry["own_curator"].curated_facilities.get().pk, slug="id02", name="ID02"
    )
    values = {
        "pk": None, "slug": "saxs-draft", "procedure_slug": "saxs-integration",
        "version": "1.1.0", "pid": PRIVATE_PID, "name": "NXsas", "tool_id": "saxs-draft",
        "version_id": "0.1.0", "descriptor_type": "JUPYTER", "relative_path": "analysis.ipynb",
        "run_id": str(run.pk), "username": "someone",
    }  # fmt: skip
    pks = {
        "technique-detail": terms["saxs"].pk, "version-detail": draft_version.pk,
        "resource-detail": Resource.objects.first().pk, "instrument-detail": instrument.pk,
        "audit-entry-detail": AuditEntry.objects.first().pk,
        "run-crate": run.pk, "run-output": run.pk, "run-detail": run.pk, "run-cancel": run.pk,
    }  # fmt: skip
    overrides = {"procedure-version-crate": {"slug": "saxs-integration"},
                 "facility-detail": {"slug": "esrf"}, "run-output": {"name": "profile.csv"},
                 "panosc-document": {"pid": "no-such-document"}}  # fmt: skip
    secrets = ["saxs-draft", PRIVATE_PID, "Secret sample", str(run.pk), '"1.1.0"']
    return {"values": values, "pks": pks, "overrides": overrides, "secrets": secrets}


def concrete(route: str, name: str, world: dict) -> str:
    """The route with its parameters filled with the world's objects."""
    values = {**world["values"], "pk": world["pks"].get(name), **world["overrides"].get(name, {})}
    path = route.replace("^", "").replace("$", "").replace("\\.", ".")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), path)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path)
    return "/" + path + QUERIES.get(name, "")


def call(client: APIClient, method: str, url: str):
    """One request whose writes are rolled back, so every role sees the same world."""
    with transaction.atomic():
        response = getattr(client, method)(url, {}, format="json")
        transaction.set_rollback(True)
    return response


def test_every_route_is_declared():
    undeclared = sorted(set(api_routes()) - set(ROUTES))
    assert not undeclared, f"declare these routes in ROUTES: {undeclared}"


def test_permission_matrix(world, registry):
    cache.clear()  # upload throttle counters of earlier tests must not answer 429 here
    problems = []
    clients = {}
    for role in ROLES:
        clients[role] = APIClient()
        if registry[role] is not None:
            token, _ = Token.objects.get_or_create(user=registry[role])
            clients[role].credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    for name, (route, methods) in sorted(api_routes().items()):
        rule, writers, *maybe_missing = ROUTES[name]
        may_404 = maybe_missing[0] if maybe_missing else set()
        url = concrete(route, name, world)
        for method in methods:
            for role in ROLES:
                response = call(clients[role], method, url)
                status = response.status_code
                where = f"{method.upper()} {url} as {role}: {status}"
                if status >= 500:
                    problems.append(f"{where} (server error)")
                elif method == "get":
                    readers = READERS[rule]
                    if (
                        role in readers
                        and status != 200
                        and not (role in may_404 and status == 404)
                    ):
                        problems.append(f"{where}, expected 200")
                    if role not in readers:
                        if status not in DENIED:
                            problems.append(f"{where}, expected denied")
                        body = response.content.decode(errors="replace")
                        # A 404 may repeat the identifier asked for; anything else is a leak.
                        leaked = [s for s in world["secrets"] if s in body and s not in url]
                        if leaked:
                            problems.append(f"{where} leaks {leaked}")
                elif role in writers and status in (401, 403):
                    problems.append(f"{where}, expected allowed")
                elif role not in writers and status not in DENIED_WRITE:
                    problems.append(f"{where}, expected denied")
    assert not problems, "\n".join(problems)


PORTAL_PAGES = {  # page: who gets 200 (others are redirected to log in, or get 403/404)
    "/procedures/saxs-draft/": OWNERS,
    f"/datasets/{PRIVATE_PID}/": OWNERS,
    "/runs/{run}/": OWNERS,
    "/runs/{run}/status.json": OWNERS,
    "/curator/": CURATORS,
    "/runs/": AUTH,
    "/procedures/": EVERYONE,
    "/datasets/": EVERYONE,
}


def test_portal_pages_leak_nothing(world, registry, client):
    run = world["values"]["run_id"]
    problems = []
    for page, readers in PORTAL_PAGES.items():
        url = page.format(run=run)
        for role in ROLES:
            client.logout()
            if registry[role] is not None:
                client.force_login(registry[role])
            response = client.get(url)
            body = response.content.decode(errors="replace")
            if role in readers and response.status_code != 200:
                problems.append(f"GET {url} as {role}: {response.status_code}, expected 200")
            if role not in readers:
                if response.status_code not in DENIED:
                    problems.append(f"GET {url} as {role}: {response.status_code}, expected denied")
                leaked = [s for s in world["secrets"] if s in body and s not in url]
                if leaked:
                    problems.append(f"GET {url} as {role} leaks {leaked}")
            elif readers is not OWNERS:  # pages everyone may read must not list others' secrets
                leaked = [s for s in world["secrets"] if s in body]
                if leaked and role not in ("own_curator", "staff"):
                    problems.append(f"GET {url} as {role} leaks {leaked}")
    assert not problems, "\n".join(problems)
