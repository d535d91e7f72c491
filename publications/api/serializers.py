"""Serializers of the publications API."""

from django.urls import reverse
from rest_framework import serializers

from publications.models import (
    Publication,
    PublicationAuthor,
    PublishedResult,
    Reproduction,
    ResultComparison,
)


class AuthorSerializer(serializers.ModelSerializer):
    """An author with an ORCID iD where known."""

    class Meta:
        model = PublicationAuthor
        fields = ["name", "orcid"]


class PublishedResultSerializer(serializers.ModelSerializer):
    """A published figure or table and how it is checked."""

    version = serializers.SerializerMethodField()
    dataset = serializers.SlugRelatedField(slug_field="pid", read_only=True)
    check = serializers.SerializerMethodField()

    class Meta:
        model = PublishedResult
        fields = ["label", "version", "dataset", "parameters", "output_name", "check"]

    def get_version(self, result) -> str:
        """``slug@version``."""
        return f"{result.version.procedure.slug}@{result.version.version}"

    def get_check(self, result) -> dict:
        """``{"sha256"}`` or ``{"tolerance": {absolute, relative}, "expected_name"}``."""
        if result.uses_tolerance:
            return {
                "tolerance": {
                    "absolute": result.absolute_tolerance,
                    "relative": result.relative_tolerance,
                },
                "expected_name": result.expected_name,
            }
        return {"sha256": result.sha256}


class PublicationSerializer(serializers.ModelSerializer):
    """A publication with its authors, datasets, procedure versions and results."""

    url = serializers.CharField(read_only=True)
    authors = AuthorSerializer(many=True, read_only=True)
    datasets = serializers.SlugRelatedField(slug_field="pid", many=True, read_only=True)
    procedure_versions = serializers.SerializerMethodField()
    results = PublishedResultSerializer(many=True, read_only=True)
    crate_url = serializers.SerializerMethodField()

    class Meta:
        model = Publication
        fields = ["doi", "url", "title", "authors", "year", "venue", "abstract", "licence",
                  "datasets", "procedure_versions", "results", "is_demo", "crate_url"]  # fmt: skip

    def get_procedure_versions(self, publication) -> list[str]:
        """``slug@version`` of each version used."""
        return sorted(
            f"{v.procedure.slug}@{v.version}" for v in publication.procedure_versions.all()
        )

    def get_crate_url(self, publication) -> str:
        """Where the publication bundle is downloaded."""
        return f"/api/v1/publications/{publication.doi}/crate.zip"


class ComparisonSerializer(serializers.ModelSerializer):
    """One result's verdict, with the run that remade it and its provenance crate."""

    label = serializers.CharField(source="result.label")
    output_name = serializers.CharField(source="result.output_name")
    run = serializers.SerializerMethodField()

    class Meta:
        model = ResultComparison
        fields = ["label", "output_name", "status", "message", "details", "run"]

    def get_run(self, comparison) -> dict | None:
        """The run's state; its id and links to it and its crate only for who may read the run.

        Visibility comes from ``run_visible`` (see ``reproductions_with_runs``); the context
        flag ``all_runs`` shows every run (the operator's ``reproduce --json``).
        """
        run = comparison.run
        if run is None:
            return None
        if not (self.context.get("all_runs") or getattr(comparison, "run_visible", False)):
            return {"state": run.state}
        return {
            "id": str(run.pk),
            "state": run.state,
            "url": f"/api/v1/runs/{run.pk}/",
            "crate_url": reverse("run-crate", kwargs={"pk": run.pk}),
        }


class ReproductionSerializer(serializers.ModelSerializer):
    """A reproduction with its per-result comparisons."""

    publication = serializers.SlugRelatedField(slug_field="doi", read_only=True)
    comparisons = ComparisonSerializer(many=True, read_only=True)

    class Meta:
        model = Reproduction
        fields = ["id", "publication", "status", "created", "finished", "comparisons"]


class ModifyRequestSerializer(serializers.Serializer):
    """Which result (label) or version (slug@version) to open."""

    result = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.CharField(required=False, allow_blank=True, default="")


class ModifiedVersionSerializer(serializers.Serializer):
    """The Modify run whose changed notebook becomes a new version based on the original."""

    run = serializers.UUIDField(
        help_text="The Modify run (its JupyterHub server has the notebook)."
    )
    new_version = serializers.RegexField(
        r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$", max_length=64, help_text="Semantic version."
    )
    notebook = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=500,
        help_text="Path of the changed notebook in the server (default: the entry point).",
    )  # fmt: skip
