"""Portal pages of runs: start one (from a procedure, a dataset or an uploaded file), watch it,
run it again."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from config.api.errors import DomainError
from datasets.services import file_sha256
from datasets.uploads import check_declared_size, register_upload, temporary_upload
from execution import services as execution
from execution.backends import BACKEND_CLASSES
from execution.models import Run
from portal import views
from portal.forms import RunForm
from portal.rendering import page
from portal.throttling import throttle_uploads
from recommender import services as recommender
from registry.models import ProcedureVersion
from registry.permissions import visible_procedures, visible_versions


def _start(
    request, version: ProcedureVersion, parameters: dict, dataset: str, backend: str, facility: str
) -> Run:
    """Create the run (raises DomainError with the service's reasons)."""
    return execution.create_run(
        version=version,
        owner=request.user,
        parameters=parameters,
        dataset_pid=dataset,
        backend=backend,
        facility_slug=facility,
        tags={"source": "portal"},
    )


@login_required
@require_POST
def run_procedure(request, slug: str):
    """The run form of a procedure page: parameters from its schema; errors shown in the form."""
    procedure = get_object_or_404(visible_procedures(request.user), slug=slug)
    version = get_object_or_404(
        visible_versions(request.user, procedure.versions.all()),
        version=request.POST.get("version"),
    )
    datasets = [d for d, _ in recommender.datasets_for_procedure(procedure, request.user)][:100]
    form = RunForm(request.POST, version=version, datasets=datasets)
    if form.is_valid():
        data = form.cleaned_data
        try:
            run = _start(
                request,
                version,
                form.parameters(),
                data["dataset"],
                data["backend"],
                data["facility"],
            )
        except DomainError as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            form.add_parameter_errors(details.get("parameters") or [])
            for name in ("dataset", "backend"):
                for reason in details.get(name) or []:
                    form.add_error(name, str(reason))
            if not form.errors:
                form.add_error(None, str(exc))
        else:
            return redirect("portal:run", run_id=run.pk)
    request.GET = request.GET.copy()
    request.GET["version"] = version.version
    return views.procedure_detail(request, slug, run_form=form, status=400)


def _posted_version(request) -> ProcedureVersion | None:
    """The procedure version an Analyse button names, if the user may see it."""
    return (
        visible_versions(request.user)
        .filter(
            procedure__slug=request.POST.get("procedure", ""),
            version=request.POST.get("version", ""),
        )
        .first()
    )


def _posted_backend(request) -> str:
    """The backend an Analyse form asks for ('' for the facility's default)."""
    backend = request.POST.get("backend", "")
    return backend if backend in BACKEND_CLASSES else ""


@login_required
@require_POST
def analyse(request):
    """The Analyse button of a recommendation: start its procedure version on the dataset."""
    version = _posted_version(request)
    back = request.POST.get("next") or reverse("portal:home")
    if version is None:
        messages.error(request, "That procedure version does not exist.")
        return redirect(back)
    try:
        run = _start(
            request,
            version,
            {},
            request.POST.get("dataset", ""),
            _posted_backend(request),
            request.POST.get("facility", ""),
        )
    except DomainError as exc:
        messages.error(request, f"The run could not start: {exc}")
        return redirect(back if back.startswith("/") else reverse("portal:home"))
    return redirect("portal:run", run_id=run.pk)


@login_required
@require_POST
@throttle_uploads
def analyse_upload(request):
    """The Analyse button of the upload page: the file comes again, is kept as a dataset of the
    user (or matches one already registered), and the run starts on it."""
    version = _posted_version(request)
    upload = request.FILES.get("file")
    if version is None or upload is None:
        problem = "That procedure version does not exist." if version is None else ""
        messages.error(request, problem or "Send the file again to analyse it.")
        return redirect("portal:upload")
    try:
        check_declared_size(request.META.get("CONTENT_LENGTH"))
        with temporary_upload(upload) as temporary:
            run, said = _keep_and_start(request, version, temporary, upload.name)
    except DomainError as exc:
        messages.error(request, f"The run could not start: {exc}")
        return redirect("portal:upload")
    messages.success(request, said)
    return redirect("portal:run", run_id=run.pk)


def _keep_and_start(request, version, temporary: Path, name: str) -> tuple[Run, str]:
    """Register the uploaded file and start the run on it, both or neither (DomainError)."""
    from datasets.nexus import NexusError

    expected = request.POST.get("sha256", "")
    if expected and file_sha256(temporary) != expected:
        raise DomainError(f"{name} is not the file that was read; read it again.")
    kept = None
    try:
        with transaction.atomic():
            kept = register_upload(temporary, request.user)
            run = _start(
                request,
                version,
                {},
                kept.dataset.pid,
                _posted_backend(request),
                request.POST.get("facility", ""),
            )
    except (DomainError, NexusError, OSError) as exc:
        if kept is not None:
            kept.discard()
        if isinstance(exc, DomainError):
            raise
        raise DomainError(f"{name} is not a readable NeXus file: {exc}") from exc
    pid = kept.dataset.pid
    if kept.created:
        return run, f"{name} was stored and registered as your private dataset {pid}."
    return run, f"{name} matches dataset {pid}, already registered: it was used, not stored again."


@login_required
def runs(request):
    """The user's runs, newest first."""
    listed = Run.objects.visible_to(request.user).select_related("version__procedure")[:100]
    return page(request, "portal/runs.html", {"runs": listed}, nav="runs")


def _visible_run(request, run_id) -> Run:
    return get_object_or_404(
        Run.objects.visible_to(request.user).select_related("version__procedure", "dataset"),
        pk=run_id,
    )


@login_required
def run_detail(request, run_id):
    """A run: live state, log, outputs, the provenance crate, run again."""
    run = execution.refresh(_visible_run(request, run_id))
    context = {
        "run": run,
        "events": run.events.all(),
        "outputs": run.outputs.all(),
        "crate_url": reverse("run-crate", kwargs={"pk": run.pk}),
    }
    return page(request, "portal/run.html", context, nav="runs")


@login_required
def run_status(request, run_id):
    """The run's state and log as small JSON, polled by the run page."""
    run = execution.refresh(_visible_run(request, run_id))
    return JsonResponse(
        {
            "id": str(run.pk),
            "state": run.state,
            "terminal": run.is_terminal,
            "log": run.log[-20000:],
            "external_url": run.external_url,
        }
    )


@login_required
@require_POST
def run_again(request, run_id):
    """Start a new run with the same version, dataset, parameters, backend and facility."""
    run = _visible_run(request, run_id)
    parameters = {k: v for k, v in run.parameters.items() if k not in execution.RESERVED_PARAMETERS}
    try:
        again = execution.create_run(
            version=run.version,
            owner=request.user,
            parameters=parameters,
            dataset_pid=run.dataset.pid if run.dataset else "",
            dataset_path="" if run.dataset else run.dataset_path,
            backend=run.backend,
            facility_slug=run.facility_slug,
            tags={**run.tags, "rerun_of": str(run.pk)},
        )
    except DomainError as exc:
        messages.error(request, f"The run could not start again: {exc}")
        return redirect("portal:run", run_id=run.pk)
    return redirect("portal:run", run_id=again.pk)
