"""Admin of the registry: every model with search and filters; published versions read-only."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models

from config.api.errors import DomainError
from registry import permissions, services
from registry.choices import VersionStatus
from registry.forms import ProcedureVersionForm
from registry.models import (
    IMMUTABLE_VERSION_FIELDS,
    Facility,
    Instrument,
    Procedure,
    ProcedureVersion,
    Resource,
)

# URLs typed without a scheme mean https (Django 6's default; 5.x warns unless told).
HTTPS_URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    """Facilities and their curators."""

    list_display = ["slug", "name", "country"]
    search_fields = ["slug", "name", "short_name"]
    list_filter = ["country"]
    filter_horizontal = ["curators"]
    formfield_overrides = HTTPS_URL_FIELDS


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    """Instruments of facilities."""

    list_display = ["name", "facility", "slug"]
    search_fields = ["name", "slug", "facility__name"]
    list_filter = ["facility"]
    autocomplete_fields = ["techniques"]
    formfield_overrides = HTTPS_URL_FIELDS


class ProcedureVersionInline(admin.TabularInline):
    """Versions shown under their procedure (read-only here; edit each on its own page)."""

    model = ProcedureVersion
    fields = ["version", "status", "kind", "container_image", "published_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    """Procedures; curators see and edit only those of their facilities."""

    list_display = ["slug", "name", "status", "license", "successful_runs", "updated_at"]
    search_fields = ["slug", "name", "summary", "search_text"]
    list_filter = ["status", "facilities", "license"]
    autocomplete_fields = ["techniques"]
    filter_horizontal = ["facilities", "owners"]
    readonly_fields = ["successful_runs", "created_by", "created_at", "updated_at"]
    inlines = [ProcedureVersionInline]

    def get_queryset(self, request):
        """All procedures for superusers; for other staff, those they may edit."""
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(permissions.editable_procedures_q(request.user)).distinct()


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    """Versions; a published version is read-only: a new version is the way to change it."""

    form = ProcedureVersionForm
    list_display = ["procedure", "version", "status", "kind", "published_at"]
    search_fields = ["procedure__slug", "procedure__name", "version", "code_commit"]
    list_filter = ["status", "kind"]
    readonly_fields = ["status", "published_at", "created_by", "created_at"]
    actions = ["publish", "deprecate"]

    def get_readonly_fields(self, request, obj=None):
        """Every manifest field of a published version is read-only, and its procedure."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != VersionStatus.DRAFT:
            fields += [name.removesuffix("_id") for name in IMMUTABLE_VERSION_FIELDS]
            fields.append("procedure")
        return fields

    def has_delete_permission(self, request, obj=None):
        """Only drafts may be deleted: published versions stay for reproducibility."""
        return obj is None or obj.status == VersionStatus.DRAFT

    def save_model(self, request, obj, form, change):
        """Save, refusing users who may not edit the version's procedure."""
        if not permissions.can_edit_procedure(request.user, obj.procedure):
            raise PermissionDenied("You may not edit this procedure.")
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish the selected draft versions")
    def publish(self, request, queryset):
        """Publish each selected draft, reporting per version why one could not be."""
        self._apply(request, queryset, services.publish_version, "published")

    @admin.action(description="Deprecate the selected published versions")
    def deprecate(self, request, queryset):
        """Deprecate each selected published version, reporting per version."""
        self._apply(request, queryset, services.deprecate_version, "deprecated")

    def _apply(self, request, queryset, operation, verb: str) -> None:
        for version in queryset:
            try:
                operation(version)
                self.message_user(request, f"{version}: {verb}.")
            except DomainError as error:
                self.message_user(request, f"{version}: {error.message}", level=messages.ERROR)


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    """Tutorials, simulations, training, publications and example datasets."""

    list_display = ["title", "kind", "facility"]
    search_fields = ["title", "url", "description"]
    list_filter = ["kind", "facility"]
    autocomplete_fields = ["techniques", "procedures"]
    formfield_overrides = HTTPS_URL_FIELDS
