"""Admin of the publications app."""

from django.contrib import admin

from publications.models import (
    Publication,
    PublicationAuthor,
    PublishedResult,
    Reproduction,
    ResultComparison,
)


class AuthorInline(admin.TabularInline):
    """Authors in order."""

    model = PublicationAuthor
    extra = 0


class ResultInline(admin.StackedInline):
    """Published results."""

    model = PublishedResult
    extra = 0
    raw_id_fields = ("version", "dataset")


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """Publications with their authors and results."""

    list_display = ("doi", "title", "year", "venue", "is_demo")
    list_filter = ("year", "is_demo", "record_format")
    search_fields = ("doi", "title", "authors__name")
    filter_horizontal = ("datasets", "procedure_versions")
    inlines = [AuthorInline, ResultInline]


class ComparisonInline(admin.TabularInline):
    """Per-result verdicts, read-only."""

    model = ResultComparison
    extra = 0
    readonly_fields = ("result", "run", "status", "message", "details")
    can_delete = False


@admin.register(Reproduction)
class ReproductionAdmin(admin.ModelAdmin):
    """Reproductions, read-only."""

    list_display = ("publication", "status", "created", "finished")
    list_filter = ("status", "created")
    search_fields = ("publication__doi", "publication__title", "requested_by__username")
    readonly_fields = ("publication", "status", "requested_by", "created", "finished")
    inlines = [ComparisonInline]
