"""The curator area: register procedures (form or manifest), manage drafts, publish versions."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from config.api.errors import DomainError
from portal.forms import ManifestUploadForm
from portal.procedure_form import ProcedureForm
from portal.rendering import bound_data, page
from registry.choices import VersionStatus
from registry.manifest import ManifestError, parse_manifest_text
from registry.models import Facility, Procedure, ProcedureVersion
from registry.permissions import can_edit_procedure, editable_procedures_q, is_curator
from registry.services import publish_version, register_manifest

MAX_MANIFEST_BYTES = 1024 * 1024


def curator_required(view):
    """Send anonymous users to the login page; refuse (403) users who curate nothing."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_curator(request.user):
            raise PermissionDenied("Only curators may use the curator area.")
        return view(request, *args, **kwargs)

    return wrapper


def curated_facilities(user):
    """The facilities ``user`` may register procedures for."""
    return Facility.objects.all() if user.is_staff else user.curated_facilities.all()


@curator_required
def dashboard(request):
    """The curator's procedures, their draft versions, and links to register more."""
    procedures = (
        Procedure.objects.filter(editable_procedures_q(request.user))
        .distinct()
        .prefetch_related("versions")
        .order_by("name")
    )
    drafts = ProcedureVersion.objects.filter(
        procedure__in=procedures, status=VersionStatus.DRAFT
    ).select_related("procedure")
    unpublished = set(
        procedures.exclude(
            versions__status__in=[VersionStatus.PUBLISHED, VersionStatus.DEPRECATED]
        ).values_list("pk", flat=True)
    )
    context = {"procedures": procedures, "drafts": drafts, "unpublished": unpublished}
    return page(request, "portal/curator/dashboard.html", context, nav="curator")


def register_document(request, form, document) -> bool:
    """Register ``document`` for the user; problems go on ``form``. True when registered."""
    try:
        result = register_manifest(document, by=request.user)
    except ManifestError as error:
        if hasattr(form, "add_manifest_errors"):
            form.add_manifest_errors(error)
        else:
            for problem in error.problems:
                form.add_error(None, f"{problem.pointer or '/'}: {problem.message}")
        return False
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or "You may not register this procedure.")
        return False
    except DomainError as exc:
        form.add_error(None, str(exc))
        return False
    messages.success(
        request, f"Procedure {result.procedure} registered ({result.procedure_action})."
    )
    return True


@curator_required
def register(request):
    """Register a procedure with one draft version through a form (validated as a manifest)."""
    facilities = curated_facilities(request.user)
    form = ProcedureForm(*bound_data(request), facilities=facilities)
    if request.method == "POST" and form.is_valid():
        if register_document(request, form, form.manifest()):
            return redirect("portal:curator")
    status = 400 if request.method == "POST" else 200
    return page(request, "portal/curator/register.html", {"form": form}, status, nav="curator")


@curator_required
def upload_manifest(request):
    """Register a procedure from a manifest file (YAML or JSON)."""
    form = ManifestUploadForm(*bound_data(request))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["manifest"]
        if upload.size > MAX_MANIFEST_BYTES:
            form.add_error("manifest", "The manifest is larger than 1 MB.")
        else:
            try:
                document = parse_manifest_text(upload.read())
            except ManifestError as error:
                for problem in error.problems:
                    form.add_error("manifest", f"{problem.pointer or '/'}: {problem.message}")
            else:
                if register_document(request, form, document):
                    return redirect("portal:curator")
    status = 400 if request.method == "POST" else 200
    return page(request, "portal/curator/manifest.html", {"form": form}, status, nav="curator")


@curator_required
@require_POST
def publish(request, pk: int):
    """Publish a draft version the curator may edit."""
    version = get_object_or_404(ProcedureVersion.objects.select_related("procedure"), pk=pk)
    if not can_edit_procedure(request.user, version.procedure):
        raise PermissionDenied("You may not publish versions of this procedure.")
    try:
        publish_version(version)
    except DomainError as exc:
        messages.error(request, f"{version} was not published: {exc}")
    else:
        messages.success(request, f"{version} is published.")
    return redirect("portal:curator")
