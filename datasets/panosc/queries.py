"""Run parsed PaNOSC filters against datasets and documents and render the answers.

Answers use the PaNOSC data model's camelCase names (``pid``, ``isPublic``, ``creationDate``,
``techniques: [{pid, name, panetId}]``, ``parameters: [{name, value, unit}]``, ...).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from datasets.models import Dataset, DatasetFile, Document, Parameter
from datasets.panosc import filters as f
from datasets.panosc.units import UnitError, convert

DatasetTechnique = Dataset.techniques.through
DocumentDataset = Document.datasets.through


def visible_documents(user) -> QuerySet:
    """Documents the user may see: public ones; staff see all."""
    if user is not None and user.is_authenticated and user.is_staff:
        return Document.objects.all()
    return Document.objects.filter(is_public=True)


# --- techniques: names match the term and its narrower terms ---------------------------------


def _terms(key: str, operand: Any) -> set[int]:
    """Ids of the terms named by one value of ``name``/``pid``/``panetId``, with descendants."""
    from ontologies.models import Term
    from ontologies.services import descendant_ids

    text = str(operand).strip()
    if key == "name":
        lowered = text.lower()
        candidates = Term.objects.filter(Q(label__iexact=text) | Q(search_text__icontains=lowered))
        ids = [
            term.pk
            for term in candidates
            if lowered in term.search_text.split("\n") or term.label.lower() == lowered
        ]
    else:
        ids = list(
            Term.objects.filter(Q(iri=text) | Q(iri__endswith=f"/{text}")).values_list(
                "pk", flat=True
            )
        )
    return descendant_ids(ids) if ids else set()


def _tagged(term_ids: set[int]) -> Q:
    """Datasets tagged with any of ``term_ids``."""
    return Q(pk__in=DatasetTechnique.objects.filter(term_id__in=term_ids).values("dataset_id"))


def technique_where(where: dict) -> tuple[Q, set[int] | None]:
    """A where clause on techniques as a dataset filter, and the ids of matching techniques.

    ``and`` needs a technique from every set, ``or`` from any, ``neq`` from none.
    """
    q, shown = Q(), None
    for key, condition in where.items():
        if key in {"and", "or"}:
            parts = [technique_where(clause) for clause in condition if isinstance(clause, dict)]
            if not isinstance(condition, list) or len(parts) != len(condition):
                raise f.FilterError(f"{key} needs a list of where objects.")
            joined = Q() if key == "and" else Q(pk__in=[])
            for part_q, _ in parts:
                joined = joined & part_q if key == "and" else joined | part_q
            q &= joined
            found = [ids for _, ids in parts if ids is not None]
            shown = (shown or set()).union(*found) if found else shown
        elif key in {"name", "pid", "panetId", "text"}:
            part_q, ids = _technique_condition("name" if key == "text" else key, condition)
            q &= part_q
            shown = ids if shown is None or ids is None else shown | ids
        else:
            raise f.FilterError(f"Unknown field {key!r} of techniques; known: pid, name, panetId.")
    return q, shown


def _technique_condition(key: str, condition: Any) -> tuple[Q, set[int] | None]:
    """One field condition on techniques (a value, or eq/neq/inq/nin)."""
    if not isinstance(condition, dict):
        condition = {"eq": condition}
    q, shown = Q(), None
    for operator, operand in condition.items():
        values = operand if operator in {"inq", "nin"} and isinstance(operand, list) else [operand]
        if operator not in {"eq", "neq", "inq", "nin"}:
            raise f.FilterError(f"Techniques support eq, neq, inq and nin, not {operator}.")
        ids = set().union(*(_terms(key, value) for value in values))
        if operator in {"eq", "inq"}:
            q &= _tagged(ids)
            shown = ids if shown is None else shown & ids
        else:
            q &= ~_tagged(ids)
    return q, shown


# --- includes as filters on the parents ------------------------------------------------------


def dataset_scope_q(where: dict, includes: list[f.Include]) -> Q:
    """Datasets matching a where clause and every filtering include."""
    q = f.where_q(where, f.DATASET_FIELDS, "dataset")
    for include in includes:
        if include.filters_parent():
            q &= dataset_include_q(include)
    return q


def dataset_include_q(include: f.Include) -> Q:
    """Datasets that have a child matching an include's scope."""
    relation, where = include.relation, include.where
    if relation == "techniques":
        return technique_where(where)[0]
    if relation == "parameters":
        matching = Parameter.objects.filter(f.parameter_where_q(where), dataset__isnull=False)
        return Q(pk__in=matching.values("dataset_id"))
    if relation == "files":
        return Q(
            pk__in=DatasetFile.objects.filter(f.where_q(where, f.FILE_FIELDS, "file")).values(
                "dataset_id"
            )
        )
    if relation == "instrument":
        return f.where_q(where, f.INSTRUMENT_FIELDS, "instrument")
    if relation == "documents":
        documents = Document.objects.filter(document_scope_q(where, include.includes))
        return Q(pk__in=DocumentDataset.objects.filter(document__in=documents).values("dataset_id"))
    return Q()  # samples: JSON, filtered in Python


def document_scope_q(where: dict, includes: list[f.Include], user=None) -> Q:
    """Documents matching a where clause and every filtering include."""
    q = f.where_q(where, f.DOCUMENT_FIELDS, "document")
    for include in includes:
        if not include.filters_parent():
            continue
        if include.relation == "datasets":
            datasets = Dataset.objects.visible_to(user).filter(
                dataset_scope_q(include.where, include.includes)
            )
            q &= Q(
                pk__in=DocumentDataset.objects.filter(dataset__in=datasets).values("document_id")
            )
        elif include.relation == "parameters":
            matching = Parameter.objects.filter(
                f.parameter_where_q(include.where), document__isnull=False
            )
            q &= Q(pk__in=matching.values("document_id"))
    return q


# --- rendering -------------------------------------------------------------------------------


def _date(value) -> str | None:
    """An ISO 8601 date with a Z for UTC, as loopback writes them."""
    return value.isoformat().replace("+00:00", "Z") if value else None


def parameter_json(parameter: Parameter, unit: str | None = None) -> dict:
    """A parameter, its value converted to ``unit`` when the query named one."""
    value, shown_unit = parameter.panosc_value, parameter.unit
    if unit and parameter.value is not None and parameter.unit and unit != parameter.unit:
        try:
            value, shown_unit = convert(parameter.value, parameter.unit, unit), unit
        except UnitError:
            pass
    return {"id": parameter.pk, "name": parameter.name, "value": value, "unit": shown_unit}


def _parameters(rows, include: f.Include) -> list[dict]:
    """The parameters of an include (rows already filtered by its where), in its unit."""
    unit = f.query_unit(include.where)
    return [parameter_json(parameter, unit) for parameter in rows]


def _included_parameters(queryset: QuerySet, include: f.Include) -> QuerySet:
    """The parameters of an include, filtered by its where."""
    if include.where:
        queryset = queryset.filter(f.parameter_where_q(include.where))
    return queryset


def _included_files(queryset: QuerySet, include: f.Include) -> QuerySet:
    """The files of an include, filtered by its where."""
    if include.where:
        queryset = queryset.filter(f.where_q(include.where, f.FILE_FIELDS, "file"))
    return queryset


def include_prefetches(includes: list[f.Include]) -> list[Prefetch]:
    """One query per included parameters or files relation for a whole page of datasets, already
    filtered by the include's where (:func:`dataset_json` reads them, instead of a query each)."""
    prefetches = []
    for include in includes:
        if include.relation == "parameters":
            rows = _included_parameters(Parameter.objects.all(), include)
            prefetches.append(Prefetch("parameters", rows, to_attr="included_parameters"))
        elif include.relation == "files":
            rows = _included_files(DatasetFile.objects.all(), include)
            prefetches.append(Prefetch("files", rows, to_attr="included_files"))
    return prefetches


def _members(document: Document, include: f.Include) -> list[dict]:
    """Members of a document matching the scope (and their person/affiliation scopes)."""
    members = []
    for member in document.members or []:
        if include.where and not f.matches(member, include.where):
            continue
        if any(
            inner.where and not f.matches(member.get(inner.relation) or {}, inner.where)
            for inner in include.includes
        ):
            continue
        members.append(member)
    return members


def dataset_json(
    dataset: Dataset, includes: list[f.Include], user=None, score: float = 0
) -> dict | None:
    """A dataset in the PaNOSC shape with its includes; None when a JSON include filters it out."""
    body = {
        "pid": dataset.pid,
        "title": dataset.title,
        "isPublic": dataset.is_public,
        "creationDate": _date(dataset.creation_date),
        "size": dataset.size,
        "score": score,
    }
    for include in includes:
        relation = include.relation
        if relation == "techniques":
            shown = technique_where(include.where)[1] if include.where else None
            body["techniques"] = [
                {"pid": term.iri, "name": term.label, "panetId": term.iri}
                for term in dataset.techniques.all()
                if shown is None or term.pk in shown
            ]
        elif relation == "parameters":
            rows = getattr(dataset, "included_parameters", None)
            if rows is None:
                rows = _included_parameters(dataset.parameters.all(), include)
            body["parameters"] = _parameters(rows, include)
        elif relation == "files":
            files = getattr(dataset, "included_files", None)
            if files is None:
                files = _included_files(dataset.files.all(), include)
            body["files"] = [
                {"id": item.pk, "name": item.name, "path": item.path, "size": item.size}
                for item in files
            ]
        elif relation == "instrument":
            body["instrument"] = (
                {
                    "pid": dataset.instrument_pid,
                    "name": dataset.instrument_name,
                    "facility": dataset.facility_name,
                }
                if dataset.instrument_name
                else None
            )
        elif relation == "samples":
            body["samples"] = [
                s for s in dataset.samples or [] if not include.where or f.matches(s, include.where)
            ]
            if include.where and not body["samples"]:
                return None
        elif relation == "documents":
            documents = visible_documents(user).filter(datasets=dataset)
            documents = documents.filter(document_scope_q(include.where, include.includes, user))
            rendered = [document_json(document, include.includes, user) for document in documents]
            body["documents"] = [item for item in rendered if item is not None]
    return body


def document_json(
    document: Document, includes: list[f.Include], user=None, score: float = 0
) -> dict | None:
    """A document in the PaNOSC shape with its includes; None when a JSON include filters it out."""
    body = {
        "pid": document.pid,
        "isPublic": document.is_public,
        "type": document.type,
        "title": document.title,
        "summary": document.summary,
        "doi": document.doi,
        "startDate": _date(document.start_date),
        "endDate": _date(document.end_date),
        "releaseDate": _date(document.release_date),
        "license": document.license,
        "keywords": document.keywords,
        "score": score,
    }
    for include in includes:
        if include.relation == "datasets":
            datasets = Dataset.objects.visible_to(user).filter(documents=document)
            datasets = datasets.filter(dataset_scope_q(include.where, include.includes))
            rendered = [
                dataset_json(item, include.includes, user)
                for item in datasets.prefetch_related("techniques")
            ]
            body["datasets"] = [item for item in rendered if item is not None]
            if include.filters_parent() and not body["datasets"]:
                return None
        elif include.relation == "parameters":
            rows = _included_parameters(document.parameters.all(), include)
            body["parameters"] = _parameters(rows, include)
        elif include.relation == "members":
            body["members"] = _members(document, include)
            if include.filters_parent() and not body["members"]:
                return None
    return body
