"""Admin of the ontologies app: terms, the closure (read only), imports, NXDL and the mapping."""

from django.contrib import admin
from django.db import models

from ontologies.models import (
    NexusDefinition,
    NexusDefinitionMapping,
    OntologyVersion,
    Term,
    TermClosure,
)


class NexusMappingInline(admin.TabularInline):
    """Mappings of a term to NXDL definitions, edited on the term's page."""

    model = NexusDefinitionMapping
    extra = 0


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    """Technique terms, searchable by label, synonyms and IRI."""

    list_display = ["label", "iri", "ontology", "obsolete"]
    list_filter = ["ontology", "obsolete"]
    search_fields = ["label", "search_text", "iri"]
    filter_horizontal = ["parents"]
    readonly_fields = ["search_text"]
    inlines = [NexusMappingInline]
    # An IRI typed without a scheme means https (Django 6's default; 5.x warns unless told).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(TermClosure)
class TermClosureAdmin(admin.ModelAdmin):
    """The closure table, shown for inspection; it is rebuilt by imports, never edited."""

    list_display = ["ancestor", "descendant", "depth"]
    list_filter = ["depth"]
    search_fields = ["ancestor__label", "descendant__label"]
    list_select_related = ["ancestor", "descendant"]

    def has_add_permission(self, request):
        """The closure is derived data."""
        return False

    def has_change_permission(self, request, obj=None):
        """The closure is derived data."""
        return False


@admin.register(OntologyVersion)
class OntologyVersionAdmin(admin.ModelAdmin):
    """The history of ontology imports."""

    list_display = [
        "name",
        "imported_at",
        "term_count",
        "added",
        "updated",
        "obsoleted",
        "checksum",
    ]
    list_filter = ["name"]
    search_fields = ["source", "checksum"]


@admin.register(NexusDefinition)
class NexusDefinitionAdmin(admin.ModelAdmin):
    """NXDL application definitions and what they require."""

    list_display = ["name", "category", "contributed", "extends"]
    list_filter = ["category", "contributed"]
    search_fields = ["name", "summary"]


@admin.register(NexusDefinitionMapping)
class NexusDefinitionMappingAdmin(admin.ModelAdmin):
    """The NXDL → technique mapping, editable by curators."""

    list_display = ["definition", "term", "confidence"]
    list_filter = ["confidence"]
    search_fields = ["definition", "term__label", "term__iri"]
    autocomplete_fields = ["term"]
