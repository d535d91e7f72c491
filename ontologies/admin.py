"""Admin of the ontologies app: terms, the closure (read only), imports, NXDL and the mapping."""

from django import forms
from django.contrib import admin

from ontologies import services
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


class TermAdminForm(forms.ModelForm):
    """A term's form that refuses parents which would put the term below itself."""

    # An IRI typed without a scheme means https (Django 6's default; 5.x warns unless told).
    iri = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = Term
        fields = ["iri", "label", "synonyms", "definition", "obsolete", "parents", "ontology"]

    def clean_parents(self):
        """The chosen parents, unless one is the term itself or lies below it."""
        parents = self.cleaned_data["parents"]
        if self.instance.pk:
            cycle = services.cycle_with_edges((self.instance.pk, p.pk) for p in parents)
            if cycle:
                raise forms.ValidationError(
                    "A term cannot be below itself; these parents would make a cycle "
                    "(each term a child of the next): %(cycle)s",
                    code="ontology_cycle",
                    params={"cycle": " -> ".join(cycle)},
                )
        return parents


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    """Technique terms, searchable by label, synonyms and IRI; hierarchy edits rebuild the
    closure after the save (:mod:`ontologies.receivers`)."""

    form = TermAdminForm

    list_display = ["label", "iri", "ontology", "obsolete"]
    list_filter = ["ontology", "obsolete"]
    search_fields = ["label", "search_text", "iri"]
    filter_horizontal = ["parents"]
    readonly_fields = ["search_text"]
    inlines = [NexusMappingInline]


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
