"""Admin of the execution app: runs with their events and outputs, read-only."""

from django.contrib import admin

from execution.models import Run, RunEvent, RunOutput


class RunEventInline(admin.TabularInline):
    """State transitions of a run."""

    model = RunEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "message", "at"]


class RunOutputInline(admin.TabularInline):
    """Output files of a run."""

    model = RunOutput
    extra = 0
    can_delete = False
    readonly_fields = ["name", "size", "sha256"]


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    """Runs: state, backend, owner; states only change through the services."""

    list_display = ["id", "version", "state", "backend", "owner", "created_at"]
    list_filter = ["state", "backend", "facility_slug"]
    search_fields = ["id", "version__procedure__slug", "owner__username", "external_id"]
    readonly_fields = [f.name for f in Run._meta.fields]
    inlines = [RunEventInline, RunOutputInline]
