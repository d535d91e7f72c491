"""Choices of the datasets app."""

from django.db import models


class DocumentType(models.TextChoices):
    """Kinds of PaNOSC documents: a proposal that produced datasets or a paper citing them."""

    PROPOSAL = "proposal", "Proposal"
    PUBLICATION = "publication", "Publication"
    OTHER = "other", "Other"


class DatasetOrigin(models.TextChoices):
    """How a dataset came into the registry."""

    NEXUS = "nexus", "NeXus file on the server"
    UPLOAD = "upload", "Uploaded NeXus file"
    PANOSC = "panosc", "Imported from a PaNOSC search API"
