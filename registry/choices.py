"""States and kinds of the registry, as TextChoices."""

from django.db import models


class ProcedureStatus(models.TextChoices):
    """Life cycle of a procedure: draft until a version is published; deprecated never recommended."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    DEPRECATED = "deprecated", "Deprecated"


class VersionStatus(models.TextChoices):
    """Life cycle of one version: drafts are editable, published ones are immutable."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    DEPRECATED = "deprecated", "Deprecated"


class VersionKind(models.TextChoices):
    """What the entry point of a version is."""

    NOTEBOOK = "notebook", "Jupyter notebook"
    SCRIPT = "script", "Script"
    WORKFLOW = "workflow", "Workflow"


class ResourceKind(models.TextChoices):
    """Kinds of material linked to techniques and procedures."""

    TUTORIAL = "tutorial", "Tutorial"
    SIMULATION = "simulation", "Simulation"
    TRAINING = "training", "Training"
    PUBLICATION = "publication", "Publication"
    EXAMPLE_DATASET = "example_dataset", "Example dataset"
