"""Models of the publications app: publications, their published results and reproductions."""

import uuid

from django.conf import settings
from django.db import models

from datasets.models import Dataset
from execution.models import Run
from publications.choices import ComparisonStatus, RecordFormat, ReproductionStatus
from publications.validators import validate_doi, validate_orcid
from registry.models import ProcedureVersion


class Publication(models.Model):
    """A paper (or data paper) by DOI, with the datasets and procedure versions behind it."""

    doi = models.CharField(
        max_length=255, unique=True, validators=[validate_doi], help_text="Lowercase, 10.NNNN/..."
    )
    title = models.CharField(max_length=1000)
    year = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    venue = models.CharField(max_length=500, blank=True, help_text="Journal, conference, server.")
    abstract = models.TextField(blank=True)
    licence = models.CharField(max_length=255, blank=True, help_text="SPDX id or licence URL.")
    datasets = models.ManyToManyField(Dataset, related_name="publications", blank=True)
    procedure_versions = models.ManyToManyField(
        ProcedureVersion, related_name="publications", blank=True
    )
    record_format = models.CharField(max_length=16, choices=RecordFormat.choices, blank=True)
    is_demo = models.BooleanField(default=False, help_text="Demo content written by the project.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "doi"]

    def __str__(self) -> str:
        return self.doi

    @property
    def url(self) -> str:
        """The DOI as a resolvable URL."""
        return f"https://doi.org/{self.doi}"


class PublicationAuthor(models.Model):
    """One author of a publication, in order, with an ORCID iD where known."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="authors")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=300)
    orcid = models.CharField(
        max_length=19, blank=True, validators=[validate_orcid], help_text="0000-0000-0000-000X"
    )

    class Meta:
        ordering = ["publication", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "position"], name="unique_author_position"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PublishedResult(models.Model):
    """A figure or table of a publication: which run output makes it and what it must equal.

    Either ``sha256`` (exact bytes) or a numeric tolerance (absolute and/or relative) against
    ``expected_text`` (the published values file, CSV or JSON) decides whether it reproduces.
    """

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="results")
    label = models.CharField(max_length=200, help_text="Figure or table name, e.g. 'Figure 2'.")
    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.PROTECT, related_name="published_results"
    )
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="published_results")
    parameters = models.JSONField(default=dict, blank=True, help_text="Run parameters used.")
    output_name = models.CharField(max_length=500, help_text="Output file name of the run.")
    sha256 = models.CharField(max_length=64, blank=True)
    absolute_tolerance = models.FloatField(null=True, blank=True)
    relative_tolerance = models.FloatField(null=True, blank=True)
    expected_name = models.CharField(max_length=500, blank=True, help_text="Values file name.")
    expected_text = models.TextField(blank=True, help_text="The published values (CSV or JSON).")

    class Meta:
        ordering = ["publication", "label"]
        constraints = [
            models.UniqueConstraint(fields=["publication", "label"], name="unique_result_label")
        ]

    def __str__(self) -> str:
        return f"{self.publication_id}: {self.label}"

    @property
    def uses_tolerance(self) -> bool:
        """True when the result is compared by numbers rather than by checksum."""
        return self.absolute_tolerance is not None or self.relative_tolerance is not None


class Reproduction(models.Model):
    """One attempt to reproduce every published result of a publication."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="reproductions"
    )
    status = models.CharField(
        max_length=16, choices=ReproductionStatus.choices, default=ReproductionStatus.RUNNING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.publication_id} {self.status}"


class ResultComparison(models.Model):
    """How one published result compared with the output of the run that remade it."""

    reproduction = models.ForeignKey(
        Reproduction, on_delete=models.CASCADE, related_name="comparisons"
    )
    result = models.ForeignKey(PublishedResult, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(Run, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(
        max_length=16, choices=ComparisonStatus.choices, default=ComparisonStatus.PENDING
    )
    message = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["reproduction", "result__label"]

    def __str__(self) -> str:
        return f"{self.result.label}: {self.status}"
