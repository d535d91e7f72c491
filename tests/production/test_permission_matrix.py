"""Permission matrix generated from the URL configuration.

Every API, GA4GH, PaNOSC and portal route is called with every method it accepts as anonymous,
a plain user, another facility's curator, the owning curator and staff, against objects chosen
to leak if anything can: a draft procedure and a draft version (and a resource linked to the
draft), a private dataset, a curator's run, and a publication with a reproduction whose run
belongs to the plain user. Each route must be declared in ROUTES (a new route fails the test
until it is), statuses must match the declared rule, and no response of any status, lists and
searches included, may show a role a secret it may not see.
"""

import io
import re
import zipfile

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEntry
from datasets.models import Dataset
from execution.choices import RunState
from execution.models import Run
from ontologies.models import NexusDefinitionMapping
from publications.choices import ComparisonStatus, ReproductionStatus
from publications.models import Publication, PublishedResult, Reproduction, ResultComparison
from registry.models import Instrument, Procedure, ProcedureVersion, Resource
from tests.production.conftest import DRAFT_VERSION

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
ROLES = ("anonymous", "user", "other_curator", "own_curator", "staff")
DENIED = {302, 401, 403, 404}
DENIED_WRITE = DENIED | {405}
QUERIES = {"technique-lookup": "?iri=http://purl.org/pan-science/PaNET/PaNET01188"}
PRIVATE_PID = "10.5072/private:secret-001"
PUBLIC_PID = "10.5072/matrix:public-001"
DOI = "10.5072/matrix.paper"

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
    "api-token": ("public", AUTH),  # POST obtains a token (BODY_DECIDES), DELETE revokes it
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
    "panosc-instruments": ("public", set()),
    "panosc-instruments-count": ("public", set()),
    "panosc-instrument": ("public", set(), EVERYONE),  # no instrument imported
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
    "trs-not-found": ("nobody", set()),  # any other path below the TRS root: a TRS 404
    "wes-service-info": ("authenticated", set()),  # the WES app answers 401 to anonymous
    "wes-runs": ("authenticated", AUTH),
    "wes-run": ("owners", set()),
    "wes-run-status": ("owners", set()),
    "wes-run-cancel": ("owners", OWNERS),
    # Publications and reproductions are public records; the runs inside a reproduction are
    # their owners' (only their state is shown to others). Reproducing needs a signed-in user.
    "publication-list": ("public", set()),
    "publication-detail": ("public", set()),
    "publication-crate": ("public", set()),
    "publication-reproductions": ("public", set()),
    "publication-reproduce": ("public", AUTH),
    "publication-modify": ("public", AUTH),
    "publication-modified-versions": ("public", AUTH),
    "reproduction-list": ("public", set()),
    "reproduction-detail": ("public", set()),
}
# Writes whose permission depends on the body, not only on who asks: with the empty body every
# request sends, these roles get a 400 (a manifest is refused for a user who curates none of
# its facilities once the body names them; anyone may obtain a token with credentials). Any other 400 to a role without the right means
# the body was validated before the permission was checked.
BODY_DECIDES = {
    ("procedure-list", "post"): {"user"},
    ("api-token", "post"): {"anonymous"},  # obtaining a token: the credentials are the body
}
SKIPPED_PREFIXES = ("admin/", "accounts/", "media/", "static/")


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
        if not route.startswith(("api/", "ga4gh/", "panosc/")):
            continue
        found.setdefault(name, (route, methods_of(callback)))
    return found


@pytest.fixture
def world(registry, terms, tmp_path):
    """The objects that would leak, and for each secret the roles that may see it."""
    own, someone = registry["own_curator"], registry["user"]
    draft_version = ProcedureVersion.objects.get(
        procedure__slug="saxs-integration", version=DRAFT_VERSION
    )
    published = ProcedureVersion.objects.get(procedure__slug="saxs-integration", version="1.0.0")
    private = Dataset.objects.create(
        pid=PRIVATE_PID, title="Secret sample", is_public=False, owner=own
    )
    private.techniques.add(terms["saxs"])
    run = Run.objects.create(version=published, owner=own, dataset=private, parameters={})
    NexusDefinitionMapping.objects.get_or_create(definition="NXsas", term=terms["saxs"])
    instrument = Instrument.objects.create(
        facility_id=own.curated_facilities.get().pk, slug="id02", name="ID02"
    )
    resource = Resource.objects.create(
        kind="tutorial", title="SAXS in practice", url="https://example.org/saxs-practice",
        facility=instrument.facility, created_by=own,
    )  # fmt: skip
    resource.procedures.set(Procedure.objects.filter(slug__in=["saxs-integration", "saxs-draft"]))
    resource.techniques.add(terms["saxs"])
    reproduction, their_run = publication_reproduced_by(someone, published, tmp_path)
    values = {
        "pk": None, "slug": "saxs-draft", "procedure_slug": "saxs-integration",
        "version": DRAFT_VERSION, "pid": PRIVATE_PID, "name": "NXsas", "tool_id": "saxs-draft",
        "version_id": "0.1.0", "descriptor_type": "JUPYTER", "relative_path": "analysis.ipynb",
        "run_id": str(run.pk), "username": "someone", "doi": DOI,
    }  # fmt: skip
    pks = {
        "technique-detail": terms["saxs"].pk, "version-detail": draft_version.pk,
        "resource-detail": resource.pk, "instrument-detail": instrument.pk,
        "audit-entry-detail": AuditEntry.objects.first().pk,
        "run-crate": run.pk, "run-output": run.pk, "run-detail": run.pk, "run-cancel": run.pk,
        "reproduction-detail": reproduction.pk,
    }  # fmt: skip
    overrides = {"procedure-version-crate": {"slug": "saxs-integration"},
                 "facility-detail": {"slug": "esrf"}, "run-output": {"name": "profile.csv"},
                 "panosc-document": {"pid": "no-such-document"},
                 "panosc-instrument": {"pid": "no-such-instrument"}}  # fmt: skip
    secrets = {  # secret → who may see it; each is a string nothing else in the registry has
        "saxs-draft": OWNERS, DRAFT_VERSION: OWNERS, PRIVATE_PID: OWNERS,
        "Secret sample": OWNERS, str(run.pk): OWNERS, str(their_run.pk): {"user", "staff"},
    }  # fmt: skip
    return {"values": values, "pks": pks, "overrides": overrides, "secrets": secrets}


def publication_reproduced_by(user, version, folder) -> tuple[Reproduction, Run]:
    """A publication on a public dataset, reproduced by ``user`` with a run of their own."""
    source = folder / "public.nxs"
    source.write_bytes(b"not read: the bundle copies it")
    dataset = Dataset.objects.create(
        pid=PUBLIC_PID, title="Public sample", is_public=True, source_path=str(source)
    )
    publication = Publication.objects.create(doi=DOI, title="Matrix paper", year=2025)
    publication.datasets.add(dataset)
    publication.procedure_versions.add(version)
    result = PublishedResult.objects.create(
        publication=publication, label="Figure 1", version=version, dataset=dataset,
        output_name="profile.csv", sha256="0" * 64,
    )  # fmt: skip
    run = Run.objects.create(
        version=version, owner=user, dataset=dataset, parameters={}, state=RunState.COMPLETE
    )
    reproduction = Reproduction.objects.create(
        publication=publication, requested_by=user, status=ReproductionStatus.REPRODUCED,
        finished=timezone.now(),
    )  # fmt: skip
    ResultComparison.objects.create(
        reproduction=reproduction, result=result, run=run, status=ComparisonStatus.REPRODUCED
    )
    return reproduction, run


def body_text(response) -> str:
    """The response body as text; a zip (crates, bundles) as the text of all its members."""
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if raw.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            raw = b"\n".join(archive.read(name) for name in archive.namelist())
    return raw.decode(errors="replace")


def leaks(world: dict, role: str, url: str, response) -> list[str]:
    """The secrets ``role`` may not see that ``response`` shows.

    A denial may repeat the identifier asked for in the URL; a 200 may not.
    """
    body = body_text(response)
    return [
        secret
        for secret, seers in world["secrets"].items()
        if role not in seers
        and secret in body
        and (response.status_code == 200 or secret not in url)
    ]


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
        url = concrete(route, name, world)
        for method in methods:
            for role in ROLES:
                response = call(clients[role], method, url)
                where = f"{method.upper()} {url} as {role}: {response.status_code}"
                problem = status_problem(name, method, role, response.status_code)
                if problem:
                    problems.append(f"{where}, {problem}")
                leaked = leaks(world, role, url, response)
                if leaked:
                    problems.append(f"{where} leaks {leaked}")
    assert not problems, "\n".join(problems)


def status_problem(name: str, method: str, role: str, status: int) -> str:
    """What is wrong with ``status`` for ``role`` calling ``method`` on route ``name``, or ''."""
    rule, writers, *maybe_missing = ROUTES[name]
    if status >= 500:
        return "server error"
    if method == "get":
        readers = READERS[rule]
        may_404 = maybe_missing[0] if maybe_missing else set()
        if role in readers and status != 200 and not (role in may_404 and status == 404):
            return "expected 200"
        if role not in readers and status not in DENIED:
            return "expected denied"
        return ""
    if role in writers:
        return "expected allowed" if status in (401, 403) else ""
    if status in DENIED_WRITE or (status == 400 and role in BODY_DECIDES.get((name, method), ())):
        return ""
    return "expected denied"


PORTAL_PAGES = {  # page: who gets 200 (others are redirected to log in, or get 403/404)
    "/procedures/saxs-draft/": OWNERS,
    f"/datasets/{PRIVATE_PID}/": OWNERS,
    "/runs/{run}/": OWNERS,
    "/runs/{run}/status.json": OWNERS,
    "/curator/": CURATORS,
    "/runs/": AUTH,
    "/procedures/": EVERYONE,
    "/datasets/": EVERYONE,
    f"/publications/{DOI}/": EVERYONE,
    "/publications/": EVERYONE,
    "/techniques/PaNET01188/": EVERYONE,
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
            where = f"GET {url} as {role}: {response.status_code}"
            if role in readers and response.status_code != 200:
                problems.append(f"{where}, expected 200")
            if role not in readers and response.status_code not in DENIED:
                problems.append(f"{where}, expected denied")
            leaked = leaks(world, role, url, response)
            if leaked:
                problems.append(f"{where} leaks {leaked}")
    assert not problems, "\n".join(problems)
