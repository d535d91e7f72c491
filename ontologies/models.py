"""Models of experimental-technique terms (PaNET), their hierarchy and the NeXus mapping."""

import uuid

from django.db import models

DEFAULT_ONTOLOGY = "panet"


def build_search_text(iri: str, label: str, synonyms: list[str]) -> str:
    """Lowercase text of a term's label, synonyms and short id, one per line, for ``?q=``.

    Stored in a plain column so a case-insensitive ``icontains`` finds synonyms the same way on
    SQLite and PostgreSQL, without JSON operators.
    """
    short_id = iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    parts = [label, *synonyms, short_id]
    return "\n".join(part.strip().lower() for part in parts if part and part.strip())


class Term(models.Model):
    """One experimental-technique term of an ontology, identified by its IRI."""

    iri = models.URLField(max_length=500, unique=True)
    label = models.CharField(max_length=300, db_index=True)
    synonyms = models.JSONField(default=list, blank=True)
    definition = models.TextField(blank=True)
    obsolete = models.BooleanField(default=False)
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)
    ontology = models.CharField(max_length=50, default=DEFAULT_ONTOLOGY, db_index=True)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs):
        """Save the term, keeping ``search_text`` in step with the label and synonyms."""
        self.search_text = build_search_text(self.iri, self.label, list(self.synonyms or []))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "search_text" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "search_text"]
        super().save(*args, **kwargs)

    @property
    def short_id(self) -> str:
        """The last segment of the IRI, such as ``PaNET01188``."""
        return self.iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


class TermClosure(models.Model):
    """Transitive closure of the hierarchy: ``ancestor`` is ``depth`` steps above ``descendant``.

    Every term is its own ancestor at depth 0. Rebuilt whenever an ontology is imported, so
    ancestor, descendant and distance lookups are one indexed query each. With several parents,
    ``depth`` is the length of the shortest path.
    """

    ancestor = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="descendant_links")
    descendant = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="ancestor_links")
    depth = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ancestor", "descendant"], name="unique_closure_pair")
        ]
        indexes = [models.Index(fields=["descendant", "depth"], name="closure_descendant_depth")]

    def __str__(self) -> str:
        return f"{self.ancestor_id} -[{self.depth}]-> {self.descendant_id}"


def new_revision_token() -> str:
    """A fresh random revision token (never reused, even after a rollback)."""
    return uuid.uuid4().hex


class HierarchyRevision(models.Model):
    """The one row naming the stored state of the terms and their hierarchy.

    ``token`` changes whenever a term, a parent edge or the closure changes, so a process that
    cached hierarchy facts can tell, with one query, whether they still hold. Terms edited one
    at a time (the admin, the shell) are noted in ``closure_stale`` and ``changed_iris`` until
    :func:`ontologies.services.refresh_hierarchy` rebuilds the closure after the commit; the
    notes roll back with the edits.
    """

    token = models.CharField(max_length=32, default=new_revision_token)
    closure_stale = models.BooleanField(default=False)
    changed_iris = models.JSONField(default=list, blank=True)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"hierarchy revision {self.token[:12]}"


class OntologyVersion(models.Model):
    """One import of an ontology: where it came from, its checksum and what changed."""

    name = models.CharField(max_length=50, default=DEFAULT_ONTOLOGY, db_index=True)
    source = models.CharField(max_length=1000)
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the imported bytes")
    term_count = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    obsoleted = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        get_latest_by = "imported_at"

    def __str__(self) -> str:
        return f"{self.name} {self.checksum[:12]} ({self.term_count} terms)"


class NexusDefinition(models.Model):
    """A NeXus application definition (NXDL) with the groups and fields it requires."""

    name = models.CharField(max_length=100, unique=True)
    category = models.CharField(max_length=20, blank=True, help_text="application or base")
    contributed = models.BooleanField(default=False)
    extends = models.CharField(max_length=100, blank=True, help_text="the NXDL it extends")
    summary = models.TextField(blank=True)
    required_groups = models.JSONField(
        default=list, blank=True, help_text='NX class paths such as "NXentry/NXinstrument"'
    )
    required_fields = models.JSONField(
        default=list, blank=True, help_text='paths such as "/ENTRY/DATA/data"'
    )
    source = models.CharField(max_length=500, blank=True)
    checksum = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NexusDefinitionMapping(models.Model):
    """A NeXus application definition (NXDL name such as ``NXsas``) names a technique term."""

    definition = models.CharField(max_length=100, db_index=True)
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="nexus_mappings")
    confidence = models.FloatField(default=1.0)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["definition", "-confidence"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "term"], name="unique_definition_term")
        ]

    def __str__(self) -> str:
        return f"{self.definition} → {self.term}"
