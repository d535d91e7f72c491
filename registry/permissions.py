"""Who may see and change what in the registry.

Everyone reads published (and deprecated) procedures. Curators of a facility create and edit
the procedures of their facilities; owners edit their own. Drafts are visible only to their
owners, the curators of their facilities, and staff.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from rest_framework import permissions

from registry.choices import ProcedureStatus, VersionStatus
from registry.models import Facility, Procedure, ProcedureVersion


def is_curator(user) -> bool:
    """True for staff and for curators of at least one facility."""
    if not user or not user.is_authenticated:
        return False
    return user.is_staff or user.curated_facilities.exists()


def editable_procedures_q(user) -> Q:
    """A filter on Procedure selecting those ``user`` may edit."""
    if not user or not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_staff:
        return Q()
    return Q(owners=user) | Q(facilities__curators=user)


def can_edit_procedure(user, procedure: Procedure) -> bool:
    """True when ``user`` may edit ``procedure`` and its draft versions."""
    if not user or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return Procedure.objects.filter(editable_procedures_q(user), pk=procedure.pk).exists()


def check_can_register(user, slug: str, facility_slugs: list[str]) -> None:
    """Raise PermissionDenied unless ``user`` may register the procedure ``slug``."""
    if not user or not user.is_authenticated:
        raise PermissionDenied("Log in as a curator to register procedures.")
    if user.is_staff:
        return
    existing = Procedure.objects.filter(slug=slug).first()
    curated = set(user.curated_facilities.values_list("slug", flat=True))
    if existing is not None:
        if not can_edit_procedure(user, existing):
            raise PermissionDenied(f"You may not edit the procedure {slug!r}.")
        current = set(existing.facilities.values_list("slug", flat=True))
        added = sorted(set(facility_slugs) - current - curated)
        if added:
            raise PermissionDenied(
                f"You may only add facilities you curate to {slug!r}; "
                f"you do not curate {', '.join(added)}."
            )
        return
    if not curated:
        raise PermissionDenied("Only curators of a facility may register procedures.")
    outside = sorted(set(facility_slugs) - curated)
    if outside or not facility_slugs:
        raise PermissionDenied(
            "A procedure must belong to facilities you curate"
            + (f"; you do not curate {', '.join(outside)}." if outside else ".")
        )


def visible_procedures(user, queryset: QuerySet | None = None) -> QuerySet:
    """Procedures ``user`` may see: every non-draft one, plus drafts they may edit."""
    queryset = Procedure.objects.all() if queryset is None else queryset
    if user and user.is_authenticated and user.is_staff:
        return queryset
    public = ~Q(status=ProcedureStatus.DRAFT)
    editable = Procedure.objects.filter(editable_procedures_q(user)).values("pk")
    return queryset.filter(public | Q(pk__in=editable))


def visible_versions(user, queryset: QuerySet | None = None) -> QuerySet:
    """Versions ``user`` may see: non-draft versions of visible procedures, and drafts they edit."""
    queryset = ProcedureVersion.objects.all() if queryset is None else queryset
    if user and user.is_authenticated and user.is_staff:
        return queryset
    editable = Procedure.objects.filter(editable_procedures_q(user)).values("pk")
    visible = visible_procedures(user).values("pk")
    return queryset.filter(
        Q(procedure__in=editable) | (Q(procedure__in=visible) & ~Q(status=VersionStatus.DRAFT))
    )


class CanEditProcedure(permissions.BasePermission):
    """DRF permission: reads for everyone; writes for those who may edit the procedure."""

    message = "You may not change this procedure."

    def has_permission(self, request, view) -> bool:
        """Reads for everyone; writes need a logged-in user (the object decides the rest)."""
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj) -> bool:
        """Reads for everyone; writes for those who may edit the (version's) procedure."""
        if request.method in permissions.SAFE_METHODS:
            return True
        procedure = obj.procedure if isinstance(obj, ProcedureVersion) else obj
        return can_edit_procedure(request.user, procedure)


class IsStaffOrReadOnly(permissions.BasePermission):
    """DRF permission: reads for everyone; writes for staff only."""

    message = "Only staff may change this."

    def has_permission(self, request, view) -> bool:
        """Reads for everyone; writes for staff."""
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class IsCuratorOrReadOnly(permissions.BasePermission):
    """DRF permission: reads for everyone; writes for curators and staff."""

    message = "Only curators may change this."

    def has_permission(self, request, view) -> bool:
        """Reads for everyone; writes for curators and staff."""
        if request.method in permissions.SAFE_METHODS:
            return True
        return is_curator(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        """Writes for staff, the object's creator and the curators of its facility."""
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        if user.is_staff:
            return True
        if getattr(obj, "created_by_id", None) == user.pk:
            return True
        facility = getattr(obj, "facility", None)
        return isinstance(facility, Facility) and facility.curators.filter(pk=user.pk).exists()
