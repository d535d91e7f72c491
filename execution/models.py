"""Models of the execution app: runs of procedure versions, their events and outputs."""

import uuid

from django.conf import settings
from django.db import models

from datasets.models import Dataset
from execution.choices import TERMINAL_STATES, BackendName, RunState
from registry.models import ProcedureVersion


class RunQuerySet(models.QuerySet):
    """Querysets of runs that know who may see what."""

    def visible_to(self, user) -> "RunQuerySet":
        """A user's own runs; staff see every run; anonymous users see none."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(owner=user)


class Run(models.Model):
    """One execution of a procedure version on a dataset, with GA4GH WES states."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="runs")
    dataset = models.ForeignKey(
        Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    dataset_path = models.CharField(max_length=1000, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    backend = models.CharField(
        max_length=16, choices=BackendName.choices, default=BackendName.LOCAL, db_index=True
    )
    facility_slug = models.SlugField(max_length=64, blank=True)
    state = models.CharField(
        max_length=16, choices=RunState.choices, default=RunState.QUEUED, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runs"
    )
    external_id = models.CharField(max_length=200, blank=True, help_text="Job id at the backend.")
    external_url = models.URLField(max_length=1000, blank=True, help_text="Where to open it.")
    work_dir = models.CharField(max_length=1000, blank=True)
    log = models.TextField(blank=True)
    error = models.TextField(blank=True)
    exit_code = models.IntegerField(null=True, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_expires = models.DateTimeField(null=True, blank=True, editable=False)
    submissions = models.PositiveIntegerField(
        default=0, help_text="Jobs started at the backend (one, unless something went wrong)."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="run_owner_recent"),
            models.Index(fields=["state", "lease_expires"], name="run_state_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.version} run {self.id} ({self.state})"

    @property
    def is_terminal(self) -> bool:
        """True once the run can no longer change state."""
        return self.state in TERMINAL_STATES


class RunEvent(models.Model):
    """One state transition of a run, kept for the audit trail."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=RunState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=RunState.choices)
    message = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.from_state or '-'} -> {self.to_state}"


class RunOutput(models.Model):
    """One output file of a run, with its size and checksum."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="outputs")
    name = models.CharField(max_length=500, help_text="Path relative to the run's output folder.")
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "name"], name="unique_output_per_run")
        ]

    def __str__(self) -> str:
        return self.name
