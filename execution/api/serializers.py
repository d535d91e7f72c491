"""Serializers of runs for the REST API."""

from django.urls import reverse
from rest_framework import serializers

from config.api.errors import DomainError
from execution.choices import BackendName
from execution.models import Run, RunEvent, RunOutput
from registry.models import ProcedureVersion


def find_version(reference: str) -> ProcedureVersion:
    """A version from ``slug@version`` or ``/api/v1/procedures/<slug>/versions/<version>/``."""
    text = reference.strip()
    if "@" in text:
        slug, _, number = text.partition("@")
    else:
        parts = [p for p in text.split("?")[0].split("/") if p]
        if "procedures" in parts and "versions" in parts:
            at = parts.index("procedures")
            slug = parts[at + 1] if len(parts) > at + 1 else ""
            number = parts[parts.index("versions") + 1] if parts[-1] != "versions" else ""
        else:
            slug, number = "", ""
    version = (
        ProcedureVersion.objects.select_related("procedure")
        .filter(procedure__slug=slug, version=number)
        .first()
    )
    if version is None:
        raise DomainError(
            f"No procedure version {reference!r}: name it as <slug>@<version> or "
            "/api/v1/procedures/<slug>/versions/<version>/.",
            {"version": [reference]},
            "unknown_version",
        )
    return version


class RunOutputSerializer(serializers.ModelSerializer):
    """An output file with its checksum and download URL."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = RunOutput
        fields = ["name", "size", "sha256", "url"]

    def get_url(self, output: RunOutput) -> str:
        """Where to download the file."""
        return reverse("run-output", kwargs={"pk": output.run_id, "name": output.name})


class RunEventSerializer(serializers.ModelSerializer):
    """One state transition."""

    class Meta:
        model = RunEvent
        fields = ["from_state", "to_state", "message", "at"]


class RunSerializer(serializers.ModelSerializer):
    """A run as users see it."""

    procedure = serializers.CharField(source="version.procedure.slug", read_only=True)
    version = serializers.CharField(source="version.version", read_only=True)
    dataset = serializers.CharField(source="dataset.pid", read_only=True, default=None)
    owner = serializers.CharField(source="owner.get_username", read_only=True)
    outputs = RunOutputSerializer(many=True, read_only=True)
    events = RunEventSerializer(many=True, read_only=True)
    crate_url = serializers.SerializerMethodField()

    class Meta:
        model = Run
        fields = [
            "id",
            "procedure",
            "version",
            "state",
            "backend",
            "facility_slug",
            "dataset",
            "dataset_path",
            "parameters",
            "owner",
            "external_id",
            "external_url",
            "log",
            "error",
            "exit_code",
            "outputs",
            "events",
            "crate_url",
            "created_at",
            "started_at",
            "ended_at",
        ]
        read_only_fields = fields

    def get_crate_url(self, run: Run) -> str | None:
        """Where the provenance crate is, once the run has ended."""
        return reverse("run-crate", kwargs={"pk": run.pk}) if run.is_terminal else None


class RunCreateSerializer(serializers.Serializer):
    """What it takes to start a run."""

    version = serializers.CharField(
        help_text="<slug>@<version> or /api/v1/procedures/<slug>/versions/<version>/"
    )
    dataset = serializers.CharField(required=False, allow_blank=True, default="", help_text="PID")
    dataset_path = serializers.CharField(required=False, allow_blank=True, default="")
    parameters = serializers.JSONField(required=False, default=dict)
    backend = serializers.ChoiceField(choices=BackendName.choices, required=False, default="")
    facility = serializers.SlugField(required=False, allow_blank=True, default="")
    tags = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
