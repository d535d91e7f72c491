"""Filters of the ontologies API."""

import django_filters

from config.api.filters import BoundedFilterSet
from config.api.text import filter_words
from ontologies import services
from ontologies.models import NexusDefinition, NexusDefinitionMapping, Term


class TermFilterSet(BoundedFilterSet):
    """``?q=`` on label and synonyms, ``?ancestor=IRI`` (the term and everything below it),
    ``?obsolete=``, ``?ontology=``."""

    q = django_filters.CharFilter(method="filter_q", label="Text in the label or a synonym")
    ancestor = django_filters.CharFilter(
        method="filter_ancestor", label="IRI, id or short id: the term and its descendants"
    )
    obsolete = django_filters.BooleanFilter()
    ontology = django_filters.CharFilter()

    class Meta:
        model = Term
        fields = ["q", "ancestor", "obsolete", "ontology"]

    def filter_q(self, queryset, name, value):
        """Case-insensitive match on the lowercase ``search_text`` (label, synonyms, short id)."""
        for word in filter_words(value, lower=True):
            queryset = queryset.filter(search_text__contains=word)
        return queryset

    def filter_ancestor(self, queryset, name, value):
        """Terms at or below the named term; an unknown term is a 400 ``unknown_technique``."""
        term = services.resolve_term(value)
        return queryset.filter(pk__in=services.descendant_ids([term.pk]))


class NexusDefinitionFilterSet(BoundedFilterSet):
    """``?q=`` on the name, ``?category=``, ``?contributed=``, ``?technique=IRI``."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    category = django_filters.CharFilter()
    contributed = django_filters.BooleanFilter()
    technique = django_filters.CharFilter(
        method="filter_technique", label="IRI: definitions mapped to the term or a descendant"
    )
    mapped = django_filters.BooleanFilter(method="filter_mapped", label="Has a mapped term")

    class Meta:
        model = NexusDefinition
        fields = ["q", "category", "contributed", "technique", "mapped"]

    def filter_technique(self, queryset, name, value):
        """Definitions mapped to the term or to any term below it."""
        term = services.resolve_term(value)
        names = NexusDefinitionMapping.objects.filter(
            term_id__in=services.descendant_ids([term.pk])
        ).values_list("definition", flat=True)
        return queryset.filter(name__in=list(names))

    def filter_mapped(self, queryset, name, value):
        """Definitions with (true) or without (false) a mapped term."""
        names = list(NexusDefinitionMapping.objects.values_list("definition", flat=True))
        return queryset.filter(name__in=names) if value else queryset.exclude(name__in=names)
