"""Serializers of the datasets API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.fields import BlankAsNullSlugField
from datasets.models import Dataset, DatasetFile, Document, Parameter
from datasets.services import nexus_tree


class TechniqueRefSerializer(serializers.Serializer):
    """A technique of a dataset: its IRI and label."""

    iri = serializers.CharField()
    label = serializers.CharField()


class ParameterSerializer(serializers.ModelSerializer):
    """A parameter with its value in its own unit and in SI units."""

    value = serializers.SerializerMethodField()

    class Meta:
        model = Parameter
        fields = ["name", "value", "unit", "si_value", "si_unit", "path"]

    @extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}]})
    def get_value(self, parameter: Parameter):
        """The number, or the text when the value is not a number."""
        return parameter.panosc_value


class DatasetFileSerializer(serializers.ModelSerializer):
    """A file of a dataset."""

    class Meta:
        model = DatasetFile
        fields = ["name", "path", "size", "sha256"]


class DocumentRefSerializer(serializers.ModelSerializer):
    """A document a dataset belongs to, in short."""

    class Meta:
        model = Document
        fields = ["pid", "title", "type", "doi"]


class DatasetListSerializer(serializers.ModelSerializer):
    """A dataset in lists: PaNOSC fields, instrument, techniques."""

    techniques = TechniqueRefSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()
    facility_slug = BlankAsNullSlugField(
        read_only=True, help_text="The facility's slug; null when the facility is unknown."
    )

    class Meta:
        model = Dataset
        fields = [
            "pid",
            "url",
            "title",
            "is_public",
            "creation_date",
            "size",
            "instrument_name",
            "facility_name",
            "facility_slug",
            "techniques",
            "technique_unknown_reason",
            "origin",
        ]

    def get_url(self, dataset: Dataset) -> str:
        """The address of the dataset's detail."""
        request = self.context.get("request")
        path = f"/api/v1/datasets/{dataset.pid}/"
        return request.build_absolute_uri(path) if request else path


class DatasetDetailSerializer(DatasetListSerializer):
    """A dataset with its parameters, files, documents, inferred techniques and NeXus tree."""

    parameters = ParameterSerializer(many=True, read_only=True)
    files = DatasetFileSerializer(many=True, read_only=True)
    documents = DocumentRefSerializer(many=True, read_only=True)
    tree = serializers.SerializerMethodField()
    plot_url = serializers.SerializerMethodField()

    class Meta(DatasetListSerializer.Meta):
        fields = [
            *DatasetListSerializer.Meta.fields,
            "samples",
            "parameters",
            "files",
            "documents",
            "inferred_techniques",
            "summary",
            "tree",
            "plot_url",
            "source_sha256",
            "created",
            "updated",
        ]

    @extend_schema_field({"type": "object", "description": "Nested groups and fields."})
    def get_tree(self, dataset: Dataset) -> dict:
        """The NeXus groups and fields as a nested tree."""
        return nexus_tree(dataset.summary or {})

    def get_plot_url(self, dataset: Dataset) -> str | None:
        """Where the default plot's PNG is, when the dataset has one."""
        if not dataset.default_plot:
            return None
        return self.get_url(dataset) + "plot.png"


class RegisterDatasetSerializer(serializers.Serializer):
    """Register a NeXus file that already lies inside a data root of the server."""

    path = serializers.CharField(max_length=1000)
    pid = serializers.CharField(max_length=255, required=False)
    is_public = serializers.BooleanField(default=True)


class ExtractUploadSerializer(serializers.Serializer):
    """Upload a NeXus file to read its summary; ``store=true`` also registers it."""

    file = serializers.FileField()
    store = serializers.BooleanField(default=False)
    is_public = serializers.BooleanField(default=False)


class ExtractResultSerializer(serializers.Serializer):
    """The summary of an uploaded file and the techniques inferred from it."""

    summary = serializers.DictField()
    techniques = serializers.ListField(child=serializers.DictField())
    technique_unknown_reason = serializers.CharField(allow_blank=True)
    stored = serializers.BooleanField()
    dataset = serializers.CharField(allow_null=True, help_text="PID when stored.")
