"""Portal pages of runs: start one (from a procedure or a dataset), watch it, run it again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from config.api.errors import DomainError
from execution import services as execution
from execution.backends import BACKEND_CLASSES
from execution.models import Run
from portal import views
from portal.forms import RunForm
from portal.rendering import page
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


@login_required
@require_POST
def analyse(request):
    """The Analyse button of a recommendation: start its procedure version on the dataset."""
    version = (
        visible_versions(request.user)
        .filter(
            procedure__slug=request.POST.get("procedure", ""),
            version=request.POST.get("version", ""),
        )
        .first()
    )
    back = request.POST.get("next") or reverse("portal:home")
    if version is None:
        messages.error(request, "That procedure version does not exist.")
        return redirect(back)
    backend = request.POST.get("backend", "")
    if backend and backend not in BACKEND_CLASSES:
        backend = ""
    try:
        run = _start(
            request,
            version,
            {},
            request.POST.get("dataset", ""),
            backend,
            request.POST.get("facility", ""),
        )
    except DomainError as exc:
        messages.error(request, f"The run could not start: {exc}")
        return redirect(back if back.startswith("/") else reverse("portal:home"))
    return redirect("portal:run", run_id=run.pk)


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
