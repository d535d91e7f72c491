"""Signals of the ontologies app, for layers above it (the recommender keeps its index in step).

``ontology_changed`` is sent by :func:`ontologies.services.apply_ontology` after it changed the
stored terms of an ontology (added, updated or obsoleted ones, closure rebuilt), inside the
import's transaction; receivers that act on other systems should wait for the commit.
Arguments: ``name`` (the ontology) and ``changed_iris`` (updated and obsoleted IRIs: the terms
whose labels, synonyms, parents or status changed; added terms are only referenced through them).
"""

from django.dispatch import Signal

ontology_changed = Signal()
