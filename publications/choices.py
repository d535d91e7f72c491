"""Choices of the publications app: how a result is checked and how a reproduction ended."""

from django.db import models


class ReproductionStatus(models.TextChoices):
    """The state of a reproduction of a publication as a whole."""

    RUNNING = "running", "Running"
    REPRODUCED = "reproduced", "Reproduced"
    DIFFERS = "differs", "Differs"
    FAILED = "failed", "Failed"


class ComparisonStatus(models.TextChoices):
    """How one published result compared with the output of its run."""

    PENDING = "pending", "Pending"
    REPRODUCED = "reproduced", "Reproduced"
    DIFFERS = "differs", "Differs"
    MISSING = "missing", "Missing file"
    FAILED = "failed", "Run failed"


class DiffKind(models.TextChoices):
    """Why a result differs."""

    CHECKSUM = "checksum_mismatch", "Checksum mismatch"
    NUMERIC = "numeric_deviation", "Numeric deviation beyond tolerance"
    STRUCTURE = "structure_mismatch", "Different structure (rows, columns or keys)"
    MISSING_FILE = "missing_file", "Output file missing"
    RUN_FAILED = "run_failed", "Run did not complete"


class RecordFormat(models.TextChoices):
    """Which metadata format a publication was imported from."""

    CROSSREF = "crossref", "Crossref"
    DATACITE = "datacite", "DataCite"
    CSL = "csl", "CSL JSON"
    BUNDLE = "bundle", "Publication bundle"
