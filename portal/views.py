"""Portal pages for scientists: search, techniques, procedures, datasets and uploads."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from config.api.errors import DomainError
from datasets.models import Dataset
from datasets.services import extract_summary, file_sha256, nexus_tree
from datasets.uploads import PayloadTooLargeError, temporary_upload
from execution.backends import backends_for_facility
from ontologies.models import Term
from ontologies.services import descendant_ids, resolve_term
from portal import catalogue
from portal.forms import RunForm, UploadForm
from portal.rendering import bound_data, dataset_as_panosc, jsonld_script, page
from portal.throttling import throttle_uploads
from publications import services as publications
from recommender import services as recommender
from recommender.query import RecommendationQuery
from registry.choices import ResourceKind, VersionStatus
from registry.interop.jsonld import dataset_jsonld, procedure_jsonld
from registry.models import Facility, Instrument, Procedure, Resource
from registry.permissions import can_edit_procedure, visible_procedures, visible_versions
from registry.references import commit_url

RECOMMENDATIONS = 10


def home(request):
    """One search box across procedures, techniques, resources and datasets, with facets."""
    text = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "")
    facility = request.GET.get("facility", "")
    technique = None
    if request.GET.get("technique"):
        technique = Term.objects.filter(iri=request.GET["technique"]).first()
    searched = bool(text or kind or technique or facility)
    context = {"q": text, "kind": kind, "facility": facility, "technique": technique}
    if searched:
        try:
            context["results"] = catalogue.search_everything(
                request.user, text, kind, technique, facility
            )
        except DomainError as exc:
            context["search_error"] = str(exc)
    context["procedure_count"] = visible_procedures(request.user).count()
    context["dataset_count"] = Dataset.objects.visible_to(request.user).count()
    return page(request, "portal/home.html", context, nav="home")


def techniques(request):
    """The PaNET tree, each term with the number of procedures for it and narrower terms."""
    return page(
        request,
        "portal/techniques.html",
        {"tree": catalogue.technique_tree(request.user)},
        nav="techniques",
    )


def technique_detail(request, short_id: str):
    """A technique: procedures, resources and datasets for it and its narrower techniques."""
    try:
        term = resolve_term(short_id)
    except DomainError:
        raise Http404(f"No technique {short_id!r}.") from None
    ids = descendant_ids(term.pk)
    resources = Resource.objects.filter(techniques__in=ids).distinct().order_by("title")
    context = {
        "term": term,
        "parents": term.parents.order_by("label"),
        "children": term.children.filter(obsolete=False).order_by("label"),
        "procedures": visible_procedures(request.user)
        .filter(techniques__in=ids)
        .distinct()
        .order_by("name"),
        "resource_groups": [
            (label + "s", [r for r in resources if r.kind == value])
            for value, label in ResourceKind.choices
        ],
        "datasets": Dataset.objects.visible_to(request.user)
        .filter(techniques__in=ids)
        .distinct()[:50],
        "publication_list": publications.search_publications(
            technique_iri=term.iri
        ).prefetch_related("authors")[:50],
    }
    return page(request, "portal/technique.html", context, nav="techniques")


def procedures(request):
    """Every procedure the user may see."""
    listed = visible_procedures(request.user).prefetch_related("techniques", "facilities")
    return page(request, "portal/procedures.html", {"procedures": listed}, nav="procedures")


def _chosen_version(request, procedure: Procedure):
    """The version asked for (?version=), else the newest published, else the newest visible."""
    versions = list(visible_versions(request.user, procedure.versions.all()))
    wanted = request.GET.get("version")
    for version in versions:
        if version.version == wanted:
            return version, versions
    published = [v for v in versions if v.status == VersionStatus.PUBLISHED]
    return (published or versions or [None])[0], versions


def procedure_detail(request, slug: str, run_form: RunForm | None = None, status: int = 200):
    """A procedure: description, versions, contract, code, resources, citation, a run form."""
    procedure = get_object_or_404(visible_procedures(request.user), slug=slug)
    version, versions = _chosen_version(request, procedure)
    datasets = [d for d, _ in recommender.datasets_for_procedure(procedure, request.user)][:100]
    if run_form is None and version is not None:
        run_form = RunForm(version=version, datasets=datasets, initial=request.GET.dict())
    context = {
        "procedure": procedure,
        "version": version,
        "versions": versions,
        "commit_link": commit_url(version.code_repository, version.code_commit)
        if version
        else None,
        "run_form": run_form,
        "can_edit": can_edit_procedure(request.user, procedure),
        "citation": procedure.citation or _citation(procedure, version),
        "resources": procedure.resources.order_by("kind", "title"),
        "jsonld": jsonld_script(procedure_jsonld(procedure, request)),
        "publication_list": publications.publications_for_procedure(procedure)[:50],
    }
    return page(request, "portal/procedure.html", context, status=status, nav="procedures")


def _citation(procedure: Procedure, version) -> str:
    """A plain citation when the curator gave none."""
    year = (version.published_at or version.created_at).year if version else ""
    release = f" (version {version.version})" if version else ""
    code = f" {version.code_repository}, commit {version.code_commit}." if version else ""
    return f"{procedure.name}{release}, {year}. Analysis registry procedure {procedure.slug}.{code}"


def datasets(request):
    """Datasets the user may see."""
    listed = Dataset.objects.visible_to(request.user).prefetch_related("techniques")[:200]
    return page(request, "portal/datasets.html", {"datasets": listed}, nav="datasets")


def _recommendations(query: RecommendationQuery) -> tuple[dict | None, str]:
    """Recommendations for a query, or the reason there are none."""
    try:
        return recommender.recommend(query, k=RECOMMENDATIONS, include_incompatible=True), ""
    except DomainError as exc:
        return None, str(exc)


def facility_slug_for(slug: str = "", name: str = "", instrument: str = "") -> str:
    """The slug of a dataset's facility: its own, else the facility or instrument it names."""
    if slug:
        return slug
    if name:
        named = Q(slug__iexact=name) | Q(name__iexact=name) | Q(short_name__iexact=name)
        facility = Facility.objects.filter(named).first()
        if facility is not None:
            return facility.slug
    if instrument:
        named = Q(slug__iexact=instrument) | Q(name__iexact=instrument)
        match = Instrument.objects.filter(named).select_related("facility").first()
        if match is not None:
            return match.facility.slug
    return ""


def analyse_choices(facility_slug: str) -> dict:
    """What the Analyse forms offer: the facility's backends, every facility, the preselected."""
    return {
        "backends": backends_for_facility(facility_slug),
        "facilities": Facility.objects.order_by("name"),
        "facility_slug": facility_slug,
    }


def dataset_detail(request, pid: str):
    """A dataset: metadata, parameters, NeXus tree, plot, recommendations with Analyse."""
    dataset = Dataset.objects.visible_to(request.user).filter(pid=pid).first()
    if dataset is None:
        raise Http404(f"No dataset {pid!r}.")
    answer, problem = _recommendations(RecommendationQuery.from_dataset(dataset))
    facility_slug = facility_slug_for(
        dataset.facility_slug, dataset.facility_name, dataset.instrument_name
    )
    context = {
        "dataset": dataset,
        "parameters": dataset.parameters.all(),
        "tree": nexus_tree(dataset.summary) if dataset.summary else None,
        "plot_url": reverse("dataset-plot", kwargs={"pid": dataset.pid})
        if dataset.default_plot
        else "",
        "answer": answer,
        "problem": problem,
        **analyse_choices(facility_slug),
        "publication_list": publications.publications_for_dataset(dataset)[:50],
        "jsonld": jsonld_script(dataset_jsonld(dataset_as_panosc(dataset, request))),
    }
    return page(request, "portal/dataset.html", context, nav="datasets")


@throttle_uploads
def upload(request):
    """Summarise an uploaded NeXus file and recommend for it; the file is not kept.

    Its Analyse buttons send the file again to ``runs.analyse_upload``, which keeps it.
    """
    form = UploadForm(*bound_data(request))
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        summary = _summarise_upload(form)
        if summary is not None:
            context.update(_upload_results(summary, form.cleaned_data["file"].name))
    status = 400 if request.method == "POST" and form.errors else 200
    return page(request, "portal/upload.html", context, status=status, nav="upload")


def _upload_results(summary, file_name: str) -> dict:
    """What the upload page shows of a file: summary, tree, recommendations, Analyse choices."""
    data = summary.to_dict()
    answer, problem = _recommendations(RecommendationQuery.from_summary(summary))
    facility_name = data.get("facility") or (data.get("source") or {}).get("name") or ""
    instrument = (data.get("instruments") or [""])[0]
    return {
        "summary": data,
        "facility_name": facility_name,
        "file_name": file_name,
        "upload_sha256": data.get("sha256") or "",
        "tree": nexus_tree(data),
        "answer": answer,
        "problem": problem,
        **analyse_choices(facility_slug_for("", facility_name, instrument)),
    }


def _summarise_upload(form: UploadForm):
    """Copy the upload into a temporary file and extract its summary (errors go on the form)."""
    from datasets.nexus import NexusError

    try:
        with temporary_upload(form.cleaned_data["file"]) as temporary:
            summary = extract_summary(temporary)
            # Analyse sends the file again; the checksum tells it is the same file.
            summary.sha256 = summary.sha256 or file_sha256(temporary)
            return summary
    except PayloadTooLargeError as exc:
        form.add_error("file", exc.message)
    except (NexusError, OSError) as exc:
        form.add_error("file", f"Not a readable NeXus file: {exc}")
    return None
