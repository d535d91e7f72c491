"""Models of experimental-technique terms (PaNET), their hierarchy and the NeXus mapping."""

from django.db import models


class Term(models.Model):
    """One experimental-technique term of an ontology, identified by its IRI."""

    iri = models.URLField(max_length=500, unique=True)
    label = models.CharField(max_length=300, db_index=True)
    synonyms = models.JSONField(default=list, blank=True)
    definition = models.TextField(blank=True)
    obsolete = models.BooleanField(default=False)
    parents = models.ManyToManyField("self", symmetrical=False, related_name="children", blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class TermClosure(models.Model):
    """Transitive closure of the hierarchy: ``ancestor`` is ``depth`` steps above ``descendant``.

    Every term is its own ancestor at depth 0. Rebuilt whenever an ontology is imported, so
    ancestor, descendant and distance lookups are one indexed query each.
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
