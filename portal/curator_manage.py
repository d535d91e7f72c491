"""The curator area, managing what exists: edit or delete drafts, deprecate published versions.

Only those who may edit a procedure (``registry.permissions.can_edit_procedure``) reach these
pages; others get 404 when they may not even see the procedure or version, else 403.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from config.api.errors import ConflictError, DomainError
from portal.curator import curated_facilities, register_document
from portal.procedure_form import EditVersionForm
from portal.rendering import bound_data, page
from registry.choices import VersionStatus
from registry.models import Procedure, ProcedureVersion
from registry.permissions import can_edit_procedure, visible_procedures, visible_versions
from registry.services import delete_draft_version, deprecate_version


def login_required_here(view):
    """Send anonymous users to the login page (and back here afterwards)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def editable_version(request, pk: int) -> ProcedureVersion:
    """The version ``pk`` if the user may edit it: 404 when unseen, 403 when only readable."""
    version = ProcedureVersion.objects.select_related("procedure").filter(pk=pk).first()
    if version is None or not visible_versions(request.user).filter(pk=pk).exists():
        raise Http404("No such version.")
    if not can_edit_procedure(request.user, version.procedure):
        raise PermissionDenied("You may not change versions of this procedure.")
    return version


def editable_procedure(request, slug: str) -> Procedure:
    """The procedure ``slug`` if the user may edit it: 404 when unseen, 403 when only readable."""
    procedure = visible_procedures(request.user).filter(slug=slug).first()
    if procedure is None:
        raise Http404("No such procedure.")
    if not can_edit_procedure(request.user, procedure):
        raise PermissionDenied("You may not change this procedure.")
    return procedure


@login_required_here
@require_http_methods(["GET", "POST"])
def edit_version(request, pk: int):
    """Edit a draft version and its procedure; saved through the manifest validator."""
    version = editable_version(request, pk)
    if version.status != VersionStatus.DRAFT:
        messages.error(request, f"{version} is {version.status}; only drafts can be edited.")
        return redirect("portal:curator")
    facilities = curated_facilities(request.user) | version.procedure.facilities.all()
    form = EditVersionForm(*bound_data(request), version=version, facilities=facilities.distinct())
    if request.method == "POST" and form.is_valid():
        if register_document(request, form, form.manifest()):
            return redirect("portal:curator")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "version": version}
    return page(request, "portal/curator/edit.html", context, status, nav="curator")


@login_required_here
@require_http_methods(["GET", "POST"])
def delete_version(request, pk: int):
    """Ask, then (on POST) delete a draft version."""
    version = editable_version(request, pk)
    if version.status != VersionStatus.DRAFT:
        messages.error(request, f"{version} is {version.status}; deprecate it instead.")
        return redirect("portal:curator")
    if request.method == "POST":
        try:
            delete_draft_version(version)
        except ConflictError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Draft {version} deleted.")
        return redirect("portal:curator")
    context = {"thing": f"draft version {version.version} of {version.procedure.name}"}
    return page(request, "portal/curator/confirm_delete.html", context, nav="curator")


@login_required_here
@require_http_methods(["GET", "POST"])
def delete_procedure(request, slug: str):
    """Ask, then (on POST) delete a procedure that was never published, with its drafts."""
    procedure = editable_procedure(request, slug)
    if procedure.versions.exclude(status=VersionStatus.DRAFT).exists():
        messages.error(
            request, f"{procedure.slug} has published versions and is kept; deprecate them."
        )
        return redirect("portal:curator")
    if request.method == "POST":
        try:
            _delete_unpublished(procedure)
        except ConflictError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Procedure {slug} deleted.")
        return redirect("portal:curator")
    context = {"thing": f"the procedure {procedure.name} and its draft versions"}
    return page(request, "portal/curator/confirm_delete.html", context, nav="curator")


def _delete_unpublished(procedure: Procedure) -> None:
    """Delete a procedure with drafts only (as the API's DELETE does); ConflictError if used."""
    try:
        with transaction.atomic():
            procedure.versions.all().delete()
            procedure.delete()
    except ProtectedError as error:
        raise ConflictError(
            f"{procedure.slug} is referenced (for example by runs) and cannot be deleted.",
            code="referenced_procedure",
        ) from error


@login_required_here
@require_POST
def deprecate(request, pk: int):
    """Deprecate a published version: no longer recommended, still readable."""
    version = editable_version(request, pk)
    try:
        deprecate_version(version)
    except DomainError as exc:
        messages.error(request, f"{version} was not deprecated: {exc}")
    else:
        messages.success(request, f"{version} is deprecated.")
    return redirect("portal:curator")
