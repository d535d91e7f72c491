"""Models of the registry: facilities, instruments, procedures, their versions and resources."""

from django.conf import settings
from django.db import models

from config.api.errors import ConflictError
from ontologies.models import Term
from registry.choices import ProcedureStatus, ResourceKind, VersionKind, VersionStatus
from registry.references import validate_repository


class Facility(models.Model):
    """A photon, neutron or electron facility; its curators manage its procedures."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=50, blank=True)
    url = models.URLField(blank=True)
    country = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    curators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="curated_facilities", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return self.short_name or self.name


class Instrument(models.Model):
    """A beamline or instrument of a facility, with the techniques it serves."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="instruments")
    slug = models.SlugField(max_length=64)
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    description = models.TextField(blank=True)
    techniques = models.ManyToManyField(Term, related_name="instruments", blank=True)

    class Meta:
        ordering = ["facility__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "slug"], name="unique_instrument_per_facility"
            )
        ]

    def __str__(self) -> str:
        return f"{self.facility} {self.name}"


class Procedure(models.Model):
    """An analysis procedure: what it does, for which techniques, at which facilities."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    license = models.CharField(max_length=64, help_text="SPDX identifier")
    keywords = models.JSONField(default=list, blank=True)
    citation = models.TextField(blank=True)
    facilities = models.ManyToManyField(Facility, related_name="procedures", blank=True)
    techniques = models.ManyToManyField(Term, related_name="procedures", blank=True)
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="owned_procedures", blank=True
    )
    status = models.CharField(
        max_length=16, choices=ProcedureStatus.choices, default=ProcedureStatus.DRAFT, db_index=True
    )
    successful_runs = models.PositiveIntegerField(default=0, help_text="Popularity")
    search_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="procedure_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Save, keeping the lowercase text used by keyword and free-text filters current."""
        self.search_text = build_search_text(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


def build_search_text(procedure: "Procedure") -> str:
    """Lowercase text of a procedure for filters: keywords fenced by ``|`` for exact matches."""
    keywords = "|".join(str(k).lower() for k in procedure.keywords or [])
    parts = [procedure.slug, procedure.name, procedure.summary, procedure.description]
    return "\n".join([*(p.lower() for p in parts if p), f"|{keywords}|"])


# Fields of a version that never change once it is published.
IMMUTABLE_VERSION_FIELDS = (
    "version",
    "kind",
    "code_repository",
    "code_commit",
    "entry_point",
    "container_image",
    "input_schema",
    "required_nexus",
    "outputs",
    "compute_resources",
    "changelog",
    "base_version_id",
)


class ProcedureVersion(models.Model):
    """One immutable release of a procedure: what it needs, what it runs, where."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT, db_index=True
    )
    kind = models.CharField(
        max_length=16, choices=VersionKind.choices, default=VersionKind.NOTEBOOK
    )
    code_repository = models.CharField(
        max_length=500, validators=[validate_repository], help_text="git URL or git@host:path"
    )
    code_commit = models.CharField(max_length=40)
    entry_point = models.CharField(max_length=500)
    container_image = models.CharField(max_length=500, blank=True)
    input_schema = models.JSONField(default=dict, blank=True)
    required_nexus = models.JSONField(default=list, blank=True)
    outputs = models.JSONField(default=list, blank=True)
    compute_resources = models.JSONField(default=dict, blank=True)
    changelog = models.TextField(blank=True)
    base_version = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="derived_versions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["procedure__slug", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "version"], name="unique_procedure_version"
            )
        ]
        indexes = [
            models.Index(fields=["procedure", "status"], name="version_procedure_status"),
            models.Index(fields=["status", "-published_at"], name="version_status_published"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.slug} {self.version}"

    def save(self, *args, **kwargs) -> None:
        """Save, refusing any change to a published version other than its status."""
        if self.pk:
            stored = type(self).objects.filter(pk=self.pk).first()
            if stored is not None and stored.status != VersionStatus.DRAFT:
                changed = [
                    name
                    for name in IMMUTABLE_VERSION_FIELDS
                    if getattr(stored, name) != getattr(self, name)
                ]
                if changed:
                    raise ConflictError(
                        f"Version {stored} is published and immutable; publish a new version "
                        "to change it.",
                        details={"immutable_fields": changed},
                        code="immutable_version",
                    )
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        """True once the version was published (deprecated versions stay frozen too)."""
        return self.status != VersionStatus.DRAFT


class Resource(models.Model):
    """A tutorial, simulation, training course, publication or example dataset."""

    kind = models.CharField(max_length=20, choices=ResourceKind.choices, db_index=True)
    title = models.CharField(max_length=300)
    url = models.URLField(max_length=500)
    description = models.TextField(blank=True)
    techniques = models.ManyToManyField(Term, related_name="resources", blank=True)
    procedures = models.ManyToManyField(Procedure, related_name="resources", blank=True)
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.SET_NULL, related_name="resources"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "url"], name="unique_resource_kind_url")
        ]

    def __str__(self) -> str:
        return self.title
