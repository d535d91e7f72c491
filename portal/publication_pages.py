"""Publication pages: list with filters, a publication with its results, Reproduce and Modify.

The work is done by ``publications.services``; these views only read, ask and show.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from config.api.errors import DomainError
from datasets.models import Dataset
from ontologies.models import Term
from portal.rendering import page
from publications import services
from publications.choices import ReproductionStatus
from publications.models import Publication
from publications.reproduction import latest_reproduction
from registry.permissions import visible_versions

PAGE_SIZE = 25


def _year(text: str) -> int | None:
    """A year from the query string, or None when absent or not a plausible year."""
    return int(text) if text.isdigit() and 1000 <= int(text) <= 9999 else None


def publications(request):
    """Publications, filtered by words, technique (and narrower ones) and year."""
    text = request.GET.get("q", "").strip()[:200]
    technique = Term.objects.filter(iri=request.GET.get("technique", "")).first()
    year = _year(request.GET.get("year", ""))
    found = services.search_publications(
        q=text, technique_iri=technique.iri if technique else "", year=year
    ).prefetch_related("authors")
    listing = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": listing,
        "q": text,
        "technique": technique,
        "year": year,
        "techniques": Term.objects.filter(
            Q(datasets__publications__isnull=False)
            | Q(procedures__versions__publications__isnull=False),
            obsolete=False,
        )
        .distinct()
        .order_by("label"),
        "years": Publication.objects.exclude(year=None)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct(),
    }
    return page(request, "portal/publications.html", context, nav="publications")


def _publication(doi: str) -> Publication:
    """The publication ``doi`` (any spelling) or 404."""
    try:
        return services.get_publication(doi)
    except DomainError:
        raise Http404(f"No publication {doi!r}.") from None


def publication_detail(request, doi: str, modified=None, status: int = 200):
    """A publication: authors, datasets, versions used, results and the latest reproduction."""
    publication = _publication(doi)
    results = publication.results.select_related("version__procedure", "dataset")
    reproduction = latest_reproduction(publication)
    comparisons = (
        reproduction.comparisons.select_related("result", "run").order_by("result__label")
        if reproduction
        else []
    )
    context = {
        "publication": publication,
        "authors": publication.authors.all(),
        "datasets": Dataset.objects.visible_to(request.user).filter(publications=publication),
        "versions": visible_versions(request.user, publication.procedure_versions.all())
        .select_related("procedure")
        .order_by("procedure__name", "version"),
        "results": results,
        "reproduction": reproduction,
        "comparisons": comparisons,
        "modified": modified,
        "jupyterhub_configured": jupyterhub_configured(),
    }
    return page(request, "portal/publication.html", context, status=status, nav="publications")


def jupyterhub_configured() -> bool:
    """True when this registry can start JupyterHub servers (an API token is set)."""
    return bool(getattr(settings, "JUPYTERHUB_API_TOKEN", ""))


@require_POST
def reproduce(request, doi: str):
    """Start a reproduction of every published result, then show the publication with it."""
    publication = _publication(doi)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("portal:publication", kwargs={"doi": publication.doi}))
    try:
        reproduction = services.reproduce(publication, request.user, wait_seconds=0)
    except DomainError as exc:
        messages.error(request, f"Could not reproduce {publication.doi}: {exc}")
    else:
        if reproduction.status == ReproductionStatus.RUNNING:
            messages.info(request, "Reproduction started; its runs are still going.")
        else:
            verdict = reproduction.get_status_display().lower()
            messages.success(request, f"Reproduction finished: {verdict}.")
    url = reverse("portal:publication", kwargs={"doi": publication.doi})
    return redirect(url + "#reproduction")


@require_POST
def modify(request, doi: str):
    """Open a result's procedure version (same commit, same dataset) in JupyterHub."""
    publication = _publication(doi)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("portal:publication", kwargs={"doi": publication.doi}))
    if not jupyterhub_configured():
        messages.error(
            request,
            "JupyterHub is not configured on this registry (no JUPYTERHUB_API_TOKEN), so the "
            "procedure cannot be opened for modification here.",
        )
        return publication_detail(request, publication.doi, status=503)
    label = request.POST.get("result", "")[:200]
    try:
        run = services.open_for_modification(publication, request.user, label=label)
    except DomainError as exc:
        messages.error(request, f"Could not open {label or 'the result'} in JupyterHub: {exc}")
        return publication_detail(request, publication.doi, status=400)
    run.refresh_from_db()
    return publication_detail(request, publication.doi, modified=run)
