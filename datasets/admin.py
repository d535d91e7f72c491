"""Admin of the datasets app: datasets with their parameters and files, documents, parameters."""

from django.contrib import admin

from datasets.models import Dataset, DatasetFile, Document, Parameter


class ParameterInline(admin.TabularInline):
    """Parameters of a dataset."""

    model = Parameter
    fk_name = "dataset"
    extra = 0
    fields = ["name", "value", "text_value", "unit", "si_value", "si_unit", "path"]


class DatasetFileInline(admin.TabularInline):
    """Files of a dataset."""

    model = DatasetFile
    extra = 0


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    """Datasets: search by PID, title, instrument; filter by visibility, origin, facility."""

    list_display = [
        "pid",
        "title",
        "instrument_name",
        "facility_name",
        "is_public",
        "origin",
        "creation_date",
    ]
    list_filter = ["is_public", "origin", "facility_name", "techniques"]
    search_fields = ["pid", "title", "instrument_name", "facility_name", "source_path"]
    autocomplete_fields = ["owner"]
    filter_horizontal = ["techniques"]
    readonly_fields = [
        "summary",
        "inferred_techniques",
        "source_sha256",
        "source_mtime",
        "created",
        "updated",
    ]
    date_hierarchy = "creation_date"
    inlines = [ParameterInline, DatasetFileInline]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """PaNOSC documents (proposals and publications)."""

    list_display = ["pid", "title", "type", "is_public", "doi"]
    list_filter = ["type", "is_public"]
    search_fields = ["pid", "title", "summary", "doi"]
    filter_horizontal = ["datasets"]


@admin.register(Parameter)
class ParameterAdmin(admin.ModelAdmin):
    """Parameters of datasets and documents, with their SI values."""

    list_display = [
        "name",
        "value",
        "text_value",
        "unit",
        "si_value",
        "si_unit",
        "dataset",
        "document",
    ]
    list_filter = ["name", "unit"]
    search_fields = ["name", "text_value", "dataset__pid", "document__pid"]
    raw_id_fields = ["dataset", "document"]


@admin.register(DatasetFile)
class DatasetFileAdmin(admin.ModelAdmin):
    """Files of datasets."""

    list_display = ["name", "size", "dataset"]
    search_fields = ["name", "path", "sha256", "dataset__pid"]
    list_filter = ["dataset__is_public", "dataset__facility_name"]
    raw_id_fields = ["dataset"]
