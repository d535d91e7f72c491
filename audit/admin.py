"""Admin of the audit log: read-only, searchable and filterable."""

from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Audit entries can be read and searched, never added, changed or deleted."""

    list_display = ["timestamp", "actor_name", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type", "timestamp"]
    search_fields = ["actor_name", "object_repr", "object_id"]
    date_hierarchy = "timestamp"
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
