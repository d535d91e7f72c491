"""Elasticsearch documents of the recommender: one per published procedure version.

Text fields use the ``standard`` analyzer (the test distribution has no language analyzers);
synonyms and the technique hierarchy are expanded in Python, from the ontology, before indexing.
"""

from __future__ import annotations

from django.conf import settings
from elasticsearch_dsl import Date, Document, Integer, Keyword, Text

from ontologies.models import Term
from ontologies.services import ancestor_ids
from registry.models import ProcedureVersion

INDEX_VERSION = "v1"


def alias_name() -> str:
    """The alias readers use; it points at one versioned index at a time."""
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-procedure-versions"


class ProcedureVersionDocument(Document):
    """A published procedure version with its techniques expanded to every ancestor."""

    version_id = Integer()
    procedure_id = Integer()
    procedure_slug = Keyword()
    version = Keyword()
    kind = Keyword()
    techniques = Keyword()
    technique_ancestors = Keyword()
    technique_text = Text(analyzer="standard")
    required_nexus = Keyword()
    facilities = Keyword()
    name = Text(analyzer="standard")
    summary = Text(analyzer="standard")
    description = Text(analyzer="standard")
    keywords = Text(analyzer="standard", fields={"raw": Keyword()})
    successful_runs = Integer()
    published_at = Date()

    class Index:
        name = "procedure-versions"
        settings = {"number_of_shards": 1, "number_of_replicas": 0}

    @classmethod
    def from_version(cls, version: ProcedureVersion) -> ProcedureVersionDocument:
        """The document of ``version`` (id = version primary key)."""
        procedure = version.procedure
        own = list(procedure.techniques.values_list("pk", flat=True))
        above = Term.objects.filter(pk__in=ancestor_ids(own)) if own else Term.objects.none()
        terms = list(above)
        return cls(
            meta={"id": version.pk},
            version_id=version.pk,
            procedure_id=procedure.pk,
            procedure_slug=procedure.slug,
            version=version.version,
            kind=version.kind,
            techniques=sorted(procedure.techniques.values_list("iri", flat=True)),
            technique_ancestors=sorted(t.iri for t in terms),
            technique_text=" ".join(
                [t.label for t in terms] + [s for t in terms for s in t.synonyms]
            ),
            required_nexus=list(version.required_nexus or []),
            facilities=sorted(procedure.facilities.values_list("slug", flat=True)),
            name=procedure.name,
            summary=procedure.summary,
            description=procedure.description,
            keywords=list(procedure.keywords or []),
            successful_runs=procedure.successful_runs,
            published_at=version.published_at,
        )
