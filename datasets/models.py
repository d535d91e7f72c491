"""Models of the datasets app: datasets in the shape of the PaNOSC search API.

A :class:`Dataset` carries the PaNOSC fields (pid, title, isPublic, creationDate, size,
techniques, instrument, parameters, files, samples) plus the NeXus summary it was built from and
the techniques inferred from it, with their evidence.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from datasets.choices import DatasetOrigin, DocumentType
from ontologies.models import Term


class DatasetQuerySet(models.QuerySet):
    """Querysets of datasets that know who may see what."""

    def visible_to(self, user) -> "DatasetQuerySet":
        """Public datasets, plus private ones owned by ``user``; staff see everything."""
        if user is not None and user.is_authenticated and user.is_staff:
            return self
        if user is not None and user.is_authenticated:
            return self.filter(Q(is_public=True) | Q(owner=user))
        return self.filter(is_public=True)


class Dataset(models.Model):
    """An experimental run: the PaNOSC dataset fields plus its NeXus summary."""

    pid = models.CharField(max_length=255, unique=True)
    title = models.CharField(max_length=500)
    is_public = models.BooleanField(default=True)
    creation_date = models.DateTimeField(default=timezone.now)
    size = models.BigIntegerField(null=True, blank=True, help_text="Size in bytes.")
    techniques = models.ManyToManyField(Term, related_name="datasets", blank=True)
    instrument_pid = models.CharField(max_length=255, blank=True)
    instrument_name = models.CharField(max_length=200, blank=True, db_index=True)
    facility_name = models.CharField(max_length=200, blank=True, db_index=True)
    facility_slug = models.SlugField(max_length=64, blank=True)
    samples = models.JSONField(
        default=list, blank=True, help_text="PaNOSC samples: [{pid, name, description}]."
    )
    origin = models.CharField(
        max_length=16, choices=DatasetOrigin.choices, default=DatasetOrigin.NEXUS
    )
    summary = models.JSONField(default=dict, blank=True, help_text="DatasetSummary.to_dict().")
    inferred_techniques = models.JSONField(
        default=list, blank=True, help_text="[{iri, label, confidence, source, evidence}]"
    )
    technique_unknown_reason = models.TextField(blank=True)
    source_path = models.CharField(max_length=1000, blank=True, db_index=True)
    source_mtime = models.FloatField(null=True, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="datasets",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["-creation_date", "pid"]
        indexes = [
            models.Index(fields=["-creation_date", "pid"], name="dataset_recent"),
            models.Index(fields=["is_public", "-creation_date"], name="dataset_public_recent"),
            models.Index(fields=["source_sha256"], name="dataset_source_sha256"),
        ]

    def __str__(self) -> str:
        return self.pid

    @property
    def default_plot(self) -> dict | None:
        """The default NXdata plot described by the summary, or None."""
        return (self.summary or {}).get("default_plot") or None


class PanoscInstrument(models.Model):
    """An instrument of the PaNOSC catalogue: the beamline where an experiment took place, as
    PaNOSC JSON names it (``{pid, name, facility}``). Not the registry's instruments (facility
    beamlines that procedures serve), which this layer cannot see.

    Datasets name their instrument by value (``Dataset.instrument_pid``, ``instrument_name``,
    ``facility_name``); this table lists the instruments a catalogue knows, with or without
    datasets (imported from PaNOSC JSON).
    """

    pid = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=200, db_index=True)
    facility = models.CharField(max_length=200, db_index=True)

    class Meta:
        ordering = ["pid"]

    def __str__(self) -> str:
        return f"{self.name} ({self.facility})"


class Document(models.Model):
    """A PaNOSC document: the proposal that produced datasets or a publication citing them."""

    pid = models.CharField(max_length=255, unique=True)
    title = models.CharField(max_length=500)
    type = models.CharField(max_length=32, choices=DocumentType.choices, default=DocumentType.OTHER)
    is_public = models.BooleanField(default=True)
    summary = models.TextField(blank=True)
    doi = models.CharField(max_length=255, blank=True)
    start_date = models.DateTimeField(null=True, blank=True)
    end_date = models.DateTimeField(null=True, blank=True)
    release_date = models.DateTimeField(null=True, blank=True)
    license = models.CharField(max_length=100, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    members = models.JSONField(
        default=list, blank=True, help_text="[{role, person: {fullName, orcid, ...}, affiliation}]"
    )
    datasets = models.ManyToManyField(Dataset, related_name="documents", blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pid"]

    def __str__(self) -> str:
        return self.pid


class Parameter(models.Model):
    """A scalar measurement of a dataset (or a document) with its unit and its SI value."""

    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, related_name="parameters", null=True, blank=True
    )
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="parameters", null=True, blank=True
    )
    name = models.CharField(max_length=200)
    value = models.FloatField(null=True, blank=True, help_text="Numeric value, in ``unit``.")
    text_value = models.CharField(max_length=500, blank=True, help_text="Value when not a number.")
    unit = models.CharField(max_length=64, blank=True)
    si_value = models.FloatField(null=True, blank=True)
    si_unit = models.CharField(max_length=128, blank=True)
    path = models.CharField(max_length=500, blank=True, help_text="NeXus path it was read from.")

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "si_value"], name="parameter_name_si_value")]
        constraints = [
            models.CheckConstraint(
                condition=Q(dataset__isnull=False) | Q(document__isnull=False),
                name="parameter_has_owner",
            )
        ]

    def __str__(self) -> str:
        shown = self.text_value if self.value is None else f"{self.value:g}"
        return f"{self.name} = {shown} {self.unit}".strip()

    @property
    def panosc_value(self):
        """The value as the PaNOSC API gives it: a number, or a string."""
        return self.text_value if self.value is None else self.value


class DatasetFile(models.Model):
    """A file that belongs to a dataset."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=500)
    path = models.CharField(max_length=1000, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
