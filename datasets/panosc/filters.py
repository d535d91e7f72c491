"""The loopback-style ``filter`` of the PaNOSC search API, read into Django queries.

A filter is ``{"where": {...}, "include": [{"relation": ..., "scope": {...}}], "limit", "skip"}``.
``where`` clauses compare fields (``{"title": "x"}``) or use operators (``eq``, ``neq``, ``gt``,
``gte``, ``lt``, ``lte``, ``between``, ``inq``, ``nin``, ``like``, ``nlike``, ``ilike``,
``nilike``) and join with ``and``/``or``; ``{"text": "..."}`` searches the text fields.

An include with a ``where`` (at any depth) keeps only the parents that have a matching child,
and shows only the matching children, as the PaNOSC API does. Parameter values named with a
``unit`` are compared in SI units (pint) and given back in that unit. Technique names match the
term and every narrower term of the ontology.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from config.api.errors import DomainError
from config.api.text import filter_words
from datasets.panosc.units import DIMENSIONLESS, UnitError, require_si, si_unit_of

OPERATORS = {
    "eq",
    "neq",
    "gt",
    "gte",
    "lt",
    "lte",
    "between",
    "inq",
    "nin",
    "like",
    "nlike",
    "ilike",
    "nilike",
}
MAX_LIMIT = 1000
# Bounds of one filter, so that no filter makes a query the database refuses (SQLite parses
# an ``or`` of 1,500 clauses past its expression depth of 1,000) or the parser recurses away.
MAX_KEYS = 500  # keys of all the filter's objects: fields, operators, and/or, includes
MAX_ITEMS = 1000  # items of one list: inq/nin values, and/or clauses, includes
MAX_DEPTH = 32  # objects and lists within one another
MAX_SKIP = 2**31 - 1  # past any catalogue's end; a bigger OFFSET overflows the database's integer
DEFAULT_LIMIT = 100
FLOAT_TOLERANCE = 1e-9

DATASET_FIELDS = {
    "pid": "pid",
    "title": "title",
    "isPublic": "is_public",
    "creationDate": "creation_date",
    "size": "size",
}
DOCUMENT_FIELDS = {
    "pid": "pid",
    "title": "title",
    "type": "type",
    "isPublic": "is_public",
    "summary": "summary",
    "doi": "doi",
    "startDate": "start_date",
    "endDate": "end_date",
    "releaseDate": "release_date",
    "license": "license",
}
FILE_FIELDS = {"name": "name", "path": "path", "size": "size"}
INSTRUMENT_FIELDS = {
    "pid": "instrument_pid",
    "name": "instrument_name",
    "facility": "facility_name",
}
INSTRUMENT_MODEL_FIELDS = {"pid": "pid", "name": "name", "facility": "facility"}
TEXT_FIELDS = {
    "dataset": ["title"],
    "document": ["title", "summary"],
    "file": ["name"],
    "instrument": ["instrument_name", "facility_name"],
    "instruments": ["name", "facility"],  # the Instrument model's own columns
}
RELATIONS = {
    "dataset": {"techniques", "parameters", "files", "instrument", "documents", "samples"},
    "document": {"datasets", "members", "parameters"},
    "instrument": set(),
}


PYTHON_FILTERED = {"samples", "members"}


class FilterError(DomainError):
    """A ``filter`` or ``where`` parameter that is not valid JSON or not a valid query."""

    code = "invalid_filter"


@dataclass
class Include:
    """One ``include`` entry: a relation and its scope (where and nested includes)."""

    relation: str
    where: dict = field(default_factory=dict)
    includes: list[Include] = field(default_factory=list)

    def filters_parent(self) -> bool:
        """Whether this include (or a nested one) restricts which parents are returned."""
        return bool(self.where) or any(inner.filters_parent() for inner in self.includes)

    def filters_in_python(self) -> bool:
        """Whether this include (or a nested one) drops parents after the database query:
        samples and members are JSON, matched in Python."""
        return (self.relation in PYTHON_FILTERED and self.filters_parent()) or any(
            inner.filters_in_python() for inner in self.includes
        )


@dataclass
class Filter:
    """A parsed filter."""

    where: dict = field(default_factory=dict)
    includes: list[Include] = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    skip: int = 0


# --- parsing ---------------------------------------------------------------------------------


def load_json(raw: str | None, name: str) -> dict:
    """The JSON object of the query parameter ``name`` (empty when absent)."""
    if raw is None or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise FilterError(
            f"{name} is not valid JSON: {exc.msg} at character {exc.pos}.", {name: raw}
        ) from exc
    except RecursionError as exc:
        raise FilterError(f"{name} nests deeper than {MAX_DEPTH} levels.") from exc
    if not isinstance(value, dict):
        raise FilterError(f"{name} must be a JSON object.", {name: raw})
    check_size(value, name)
    return value


def check_size(value: dict, name: str) -> None:
    """Refuse a filter past ``MAX_KEYS`` keys in all, ``MAX_ITEMS`` items in a list or
    ``MAX_DEPTH`` levels (walked without recursion)."""
    keys, pending = 0, [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise FilterError(f"{name} nests deeper than {MAX_DEPTH} levels.")
        if isinstance(node, dict):
            keys += len(node)
            if keys > MAX_KEYS:
                raise FilterError(
                    f"{name} has more than {MAX_KEYS} keys (fields, operators, and/or, "
                    "includes); split it into several queries.",
                    {"max_keys": MAX_KEYS},
                )
            pending.extend((item, depth + 1) for item in node.values())
        elif isinstance(node, list):
            if len(node) > MAX_ITEMS:
                raise FilterError(
                    f"A list in {name} has {len(node)} items; at most {MAX_ITEMS}.",
                    {"items": len(node), "max_items": MAX_ITEMS},
                )
            pending.extend((item, depth + 1) for item in node)


def _where(value: Any, context: str) -> dict:
    """A ``where`` clause, checked to be an object."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FilterError(f"where in {context} must be a JSON object.")
    return value


def parse_includes(items: Any, model: str) -> list[Include]:
    """The ``include`` list of ``model`` (strings or ``{relation, scope}`` objects)."""
    if items is None:
        return []
    if isinstance(items, str | dict):
        items = [items]
    if not isinstance(items, list):
        raise FilterError("include must be a list of relations.")
    includes = []
    for item in items:
        relation, scope = (
            (item, {}) if isinstance(item, str) else (item.get("relation"), item.get("scope") or {})
        )
        if relation not in RELATIONS[model] or not isinstance(scope, dict):
            known = ", ".join(sorted(RELATIONS[model])) or "none"
            raise FilterError(
                f"Unknown relation {relation!r} of {plural(model)}; known: {known}.",
                {"relation": relation},
            )
        nested_model = {"datasets": "dataset", "documents": "document"}.get(relation)
        nested = parse_includes(scope.get("include"), nested_model) if nested_model else []
        if not nested_model and scope.get("include") and relation != "members":
            raise FilterError(f"{relation} has no relations to include.")
        include = Include(relation, _where(scope.get("where"), relation), nested)
        if relation == "members":
            include.includes = [
                Include(
                    sub.get("relation", ""), _where((sub.get("scope") or {}).get("where"), "person")
                )
                for sub in scope.get("include") or []
                if isinstance(sub, dict)
            ]
        includes.append(include)
    return includes


def _count(value: Any, name: str, default: int, maximum: int | None = None) -> int:
    """A non-negative integer ``limit`` or ``skip``."""
    if value is None or value == 0 and name == "limit":
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FilterError(f"{name} must be a non-negative integer.", {name: value})
    return min(value, maximum) if maximum else value


def parse_filter(raw: str | None, model: str) -> Filter:
    """Read the ``filter`` query parameter for ``model`` ("dataset" or "document")."""
    data = load_json(raw, "filter")
    unknown = set(data) - {"where", "include", "limit", "skip", "order", "fields"}
    if unknown:
        raise FilterError(f"Unknown filter keys: {', '.join(sorted(unknown))}.")
    return Filter(
        where=_where(data.get("where"), "filter"),
        includes=parse_includes(data.get("include"), model),
        limit=_count(data.get("limit"), "limit", DEFAULT_LIMIT, MAX_LIMIT),
        skip=_count(data.get("skip"), "skip", 0, MAX_SKIP),
    )


# --- where clauses on columns ----------------------------------------------------------------


def _like_regex(pattern: Any) -> str:
    """A loopback ``like`` pattern (SQL wildcards ``%`` and ``_``) as a regular expression."""
    if not isinstance(pattern, str):
        raise FilterError("like needs a string pattern.")
    return "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)


def operator_q(column: str, operator: str, operand: Any) -> Q:
    """One operator on one column."""
    if operator == "eq":
        return Q(**{column: operand})
    if operator == "neq":
        return ~Q(**{column: operand})
    if operator in {"gt", "gte", "lt", "lte"}:
        return Q(**{f"{column}__{operator}": operand})
    if operator == "between":
        if not isinstance(operand, list) or len(operand) != 2:
            raise FilterError("between needs a list of two values.")
        return Q(**{f"{column}__gte": operand[0], f"{column}__lte": operand[1]})
    if operator in {"inq", "nin"}:
        if not isinstance(operand, list):
            raise FilterError(f"{operator} needs a list of values.")
        return (
            Q(**{f"{column}__in": operand})
            if operator == "inq"
            else ~Q(**{f"{column}__in": operand})
        )
    lookup = "iregex" if operator in {"ilike", "nilike"} else "regex"
    matched = Q(**{f"{column}__{lookup}": _like_regex(operand)})
    return ~matched if operator.startswith("n") else matched


def condition_q(column: str, condition: Any) -> Q:
    """``{"field": value}`` or ``{"field": {"op": operand, ...}}`` on one column."""
    if isinstance(condition, dict):
        unknown = set(condition) - OPERATORS
        if unknown or not condition:
            raise FilterError(f"Unknown operators: {', '.join(sorted(unknown)) or '(none)'}.")
        q = Q()
        for operator, operand in condition.items():
            q &= operator_q(column, operator, operand)
        return q
    if isinstance(condition, list):
        raise FilterError("A field cannot be compared with a list; use inq.")
    return Q(**{column: condition})


def text_q(model: str, words: Any) -> Q:
    """``{"text": "..."}``: every word in one of the model's text fields."""
    if not isinstance(words, str):
        raise FilterError("text needs a string.")
    q = Q()
    for word in filter_words(words):
        any_field = Q()
        for column in TEXT_FIELDS[model]:
            any_field |= Q(**{f"{column}__icontains": word})
        q &= any_field
    return q


def where_q(where: dict, fields: dict[str, str], model: str) -> Q:
    """A ``where`` clause on plain columns of ``model``."""
    q = Q()
    for key, value in where.items():
        if key in {"and", "or"}:
            q &= _join(value, key, lambda clause: where_q(clause, fields, model))
        elif key == "text":
            q &= text_q(model, value)
        elif key in fields:
            q &= condition_q(fields[key], value)
        else:
            raise FilterError(
                f"Unknown field {key!r} of {plural(model)}; known: {', '.join(sorted(fields))}."
            )
    return q


def plural(model: str) -> str:
    """The plural of a model's name in messages ("dataset" → "datasets")."""
    return model if model.endswith("s") else f"{model}s"


def _join(clauses: Any, how: str, compile_clause) -> Q:
    """``and``/``or`` of a list of clauses compiled with ``compile_clause``."""
    if not isinstance(clauses, list) or not all(isinstance(c, dict) for c in clauses):
        raise FilterError(f"{how} needs a list of where objects.")
    q = Q() if how == "and" else Q(pk__in=[])
    for clause in clauses:
        q = q & compile_clause(clause) if how == "and" else q | compile_clause(clause)
    return q


# --- parameters: values compared in SI units -------------------------------------------------


def _numbers(condition: Any) -> bool:
    """Whether a value condition compares numbers (so a unit applies to it)."""
    if isinstance(condition, dict):
        return all(_numbers(operand) for operand in condition.values())
    if isinstance(condition, list):
        return all(_numbers(item) for item in condition)
    return isinstance(condition, int | float) and not isinstance(condition, bool)


def _to_si(condition: Any, unit: str) -> Any:
    """A numeric value condition with every number converted from ``unit`` to SI."""
    if isinstance(condition, dict):
        return {operator: _to_si(operand, unit) for operator, operand in condition.items()}
    if isinstance(condition, list):
        return [_to_si(item, unit) for item in condition]
    return require_si(condition, unit)[0]


def _si_value_q(condition: Any) -> Q:
    """Compare ``si_value`` with a small tolerance, so an equal bound matches after rounding."""
    if not isinstance(condition, dict):
        condition = {"eq": condition}
    q = Q()
    for operator, operand in condition.items():
        if operator in {"eq", "between"}:
            low, high = (operand, operand) if operator == "eq" else operand
            q &= Q(
                si_value__gte=low - abs(low) * FLOAT_TOLERANCE,
                si_value__lte=high + abs(high) * FLOAT_TOLERANCE,
            )
        elif operator in {"gte", "lte"}:
            slack = abs(operand) * FLOAT_TOLERANCE * (-1 if operator == "gte" else 1)
            q &= Q(**{f"si_value__{operator}": operand + slack})
        else:
            q &= operator_q("si_value", operator, operand)
    return q


def _value_q(condition: Any) -> Q:
    """``value`` without a unit: numbers compare ``value``, strings ``text_value``."""
    if _numbers(condition):
        return condition_q("value", condition)
    return condition_q("text_value", condition)


def parameter_where_q(where: dict) -> Q:
    """A where clause on parameters: ``name``, ``value``, ``unit`` (``value`` in that unit)."""
    terms = list(where.items())
    if "and" in where and isinstance(where["and"], list):
        flat = [
            item for clause in where["and"] if isinstance(clause, dict) for item in clause.items()
        ]
        if all(key in {"name", "value", "unit"} for key, _ in flat):
            terms = flat + [item for item in terms if item[0] != "and"]
    unit = next((value for key, value in terms if key == "unit" and isinstance(value, str)), None)
    si_unit = si_unit_of(unit) if unit else None
    numeric = any(key == "value" and _numbers(value) for key, value in terms)
    if unit and si_unit is None and numeric and unit.strip().lower() not in DIMENSIONLESS:
        raise UnitError(
            f"Unknown unit {unit!r}: give a unit such as nm, eV, K or celsius.", {"unit": unit}
        )
    q = Q()
    for key, value in terms:
        if key in {"and", "or"}:
            q &= _join(value, key, parameter_where_q)
        elif key == "name":
            q &= condition_q("name", value)
        elif key == "value" and si_unit and _numbers(value):
            q &= Q(si_unit=si_unit) & _si_value_q(_to_si(value, unit))
        elif key == "value":
            q &= _value_q(value)
        elif key == "unit" and not (si_unit and any(k == "value" for k, _ in terms)):
            q &= condition_q("unit", value)
        elif key == "text":
            q &= text_q_parameter(value)
        elif key not in {"unit"}:
            raise FilterError(f"Unknown field {key!r} of parameters; known: name, value, unit.")
    return q


def text_q_parameter(words: Any) -> Q:
    """``{"text": ...}`` on parameters: the name or the text value."""
    if not isinstance(words, str):
        raise FilterError("text needs a string.")
    return Q(name__icontains=words) | Q(text_value__icontains=words)


def query_unit(where: dict) -> str | None:
    """The unit a parameter where clause names, to give values back in it."""
    for key, value in where.items():
        if key == "unit" and isinstance(value, str):
            return value
        if key in {"and", "or"} and isinstance(value, list):
            for clause in value:
                found = query_unit(clause) if isinstance(clause, dict) else None
                if found:
                    return found
    return None


# --- where clauses on JSON lists (samples, members) ------------------------------------------


def matches(item: dict, where: dict) -> bool:
    """Whether a JSON object (a sample, a member, a person) satisfies ``where``."""
    for key, condition in where.items():
        if key == "and":
            ok = all(matches(item, clause) for clause in condition)
        elif key == "or":
            ok = any(matches(item, clause) for clause in condition)
        elif key == "text":
            text = " ".join(str(value) for value in item.values() if isinstance(value, str)).lower()
            ok = all(word.lower() in text for word in str(condition).split())
        else:
            ok = _value_matches(item.get(key), condition)
        if not ok:
            return False
    return True


def _value_matches(value: Any, condition: Any) -> bool:
    """One field of a JSON object against a value or an operator object."""
    if not isinstance(condition, dict):
        return value == condition
    checks = {
        "eq": lambda operand: value == operand,
        "neq": lambda operand: value != operand,
        "gt": lambda operand: value is not None and value > operand,
        "gte": lambda operand: value is not None and value >= operand,
        "lt": lambda operand: value is not None and value < operand,
        "lte": lambda operand: value is not None and value <= operand,
        "between": lambda operand: value is not None and operand[0] <= value <= operand[1],
        "inq": lambda operand: value in operand,
        "nin": lambda operand: value not in operand,
        "like": lambda operand: re.search(_like_regex(operand), str(value or "")) is not None,
        "ilike": lambda operand: re.search(_like_regex(operand), str(value or ""), re.I)
        is not None,
        "nlike": lambda operand: re.search(_like_regex(operand), str(value or "")) is None,
        "nilike": lambda operand: re.search(_like_regex(operand), str(value or ""), re.I) is None,
    }
    try:
        return all(checks[operator](operand) for operator, operand in condition.items())
    except (KeyError, TypeError, IndexError) as exc:
        raise FilterError(f"Cannot apply {condition!r}.") from exc
