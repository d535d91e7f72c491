"""Admin of the audit log (read-only, searchable and filterable), and of the accounts it
records: groups and API tokens, given search and filters like every other admin page."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from audit.models import AuditEntry

admin.site.unregister(Group)
admin.site.unregister(TokenProxy)


@admin.register(Group)
class SearchableGroupAdmin(GroupAdmin):
    """Groups: search by name or permission, filter by the app their permissions belong to."""

    search_fields = ["name", "permissions__codename", "permissions__name"]
    list_filter = ["permissions__content_type__app_label"]


@admin.register(TokenProxy)
class SearchableTokenAdmin(TokenAdmin):
    """API tokens: search by their user (never by the key), filter by creation date and role."""

    search_fields = ["user__username", "user__email"]
    list_filter = ["created", "user__is_staff"]


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
