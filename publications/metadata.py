"""Bibliographic records in: Crossref, DataCite (JSON:API) and CSL JSON, to one plain shape.

:func:`parse_record` returns ``{"format", "doi", "title", "year", "venue", "abstract",
"licence", "authors": [{"name", "orcid"}]}``; anything malformed raises :class:`RecordError`.
"""

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import requests
from django.core.exceptions import ValidationError

from config.api.errors import DomainError, ServiceUnavailableError
from publications.choices import RecordFormat
from publications.validators import normalise_doi, normalise_orcid

CSL_MEDIA_TYPE = "application/vnd.citationstyles.csl+json"
FETCH_TIMEOUT_SECONDS = 15
TAGS = re.compile(r"<[^>]+>")
# The longest value each field stores (the columns of publications.models), checked before any
# write so that no database (PostgreSQL refuses over-long strings) sees them.
MAX_LENGTHS = {"doi": 255, "title": 1000, "venue": 500, "licence": 255, "abstract": 100_000}
MAX_AUTHOR_NAME = 300
MAX_AUTHORS = 5000
FIRST_YEAR = 1600  # before the first scientific journals
LATEST_YEAR_AHEAD = 2  # in-press papers carry next year's date


class RecordError(DomainError):
    """A metadata record that cannot be read as a publication."""

    code = "invalid_record"


def read_record_file(path: str | Path) -> Any:
    """The JSON document in ``path``; RecordError when it is missing or not JSON."""
    path = Path(path)
    if not path.is_file():
        raise RecordError(f"No such file: {path}", {"file": str(path)}, "file_not_found")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"{path.name} is not JSON: {exc}", {"file": str(path)}) from exc


def fetch_record(doi: str) -> Any:
    """CSL JSON of ``doi`` from doi.org by content negotiation; a clear error when offline."""
    url = f"https://doi.org/{doi}"
    try:
        response = requests.get(
            url, headers={"Accept": CSL_MEDIA_TYPE}, timeout=FETCH_TIMEOUT_SECONDS
        )
    except requests.RequestException as exc:
        raise ServiceUnavailableError(
            f"Could not reach {url} ({type(exc).__name__}); import the record from a file.",
            {"doi": doi},
        ) from exc
    if response.status_code == 404:
        raise RecordError(f"doi.org does not know {doi}.", {"doi": doi}, "unknown_doi")
    if response.status_code != 200:
        raise RecordError(f"doi.org answered HTTP {response.status_code} for {doi}.", {"doi": doi})
    try:
        return response.json()
    except ValueError as exc:
        raise RecordError(f"doi.org did not return CSL JSON for {doi}.", {"doi": doi}) from exc


def detect_format(document: Any) -> tuple[str, dict]:
    """The record's format and the work object inside it."""
    if isinstance(document, list) and len(document) == 1:
        document = document[0]
    if not isinstance(document, dict):
        raise RecordError("A record must be a JSON object (Crossref, DataCite or CSL JSON).")
    if isinstance(document.get("message"), dict):
        return RecordFormat.CROSSREF, document["message"]
    data = document.get("data")
    if isinstance(data, dict) and isinstance(data.get("attributes"), dict):
        return RecordFormat.DATACITE, {"id": data.get("id", ""), **data["attributes"]}
    if isinstance(document.get("title"), list):
        return RecordFormat.CROSSREF, document
    return RecordFormat.CSL, document


def parse_record(document: Any) -> dict:
    """A publication's fields from a Crossref, DataCite or CSL JSON record."""
    record_format, work = detect_format(document)
    reader = {
        RecordFormat.CROSSREF: _from_crossref,
        RecordFormat.DATACITE: _from_datacite,
        RecordFormat.CSL: _from_csl,
    }[record_format]
    fields = reader(work)
    fields["format"] = record_format
    try:
        fields["doi"] = normalise_doi(fields["doi"] or "")
    except ValidationError as exc:
        raise RecordError(
            f"The record's DOI is malformed: {exc.messages[0]}",
            {"doi": fields["doi"]},
            "invalid_doi",
        ) from exc
    if not fields["title"]:
        raise RecordError("The record has no title.", {"title": ["missing"]})
    if not fields["authors"]:
        raise RecordError("The record names no author.", {"authors": ["missing"]})
    check_sizes(fields)
    fields["authors"] = [_author(a, i) for i, a in enumerate(fields["authors"])]
    return fields


def check_sizes(fields: dict) -> None:
    """Refuse a year outside the plausible range and values longer than their columns."""
    year, latest = fields.get("year"), date.today().year + LATEST_YEAR_AHEAD
    if year is not None and not FIRST_YEAR <= year <= latest:
        raise RecordError(
            f"The record's year {year} is not between {FIRST_YEAR} and {latest}.",
            {"year": [year]},
            "invalid_year",
        )
    for name, limit in MAX_LENGTHS.items():
        if len(fields.get(name) or "") > limit:
            raise RecordError(
                f"The record's {name} is longer than {limit} characters.",
                {name: [f"{len(fields[name])} characters"]},
                "value_too_long",
            )
    if len(fields["authors"]) > MAX_AUTHORS:
        raise RecordError(f"The record names more than {MAX_AUTHORS} authors.", code="too_many")
    for index, author in enumerate(fields["authors"]):
        if len(author["name"]) > MAX_AUTHOR_NAME:
            raise RecordError(
                f"Author {index + 1}'s name is longer than {MAX_AUTHOR_NAME} characters.",
                {"authors": [index]},
                "value_too_long",
            )


def _author(author: dict, index: int) -> dict:
    """An author with a checked ORCID iD (a wrong checksum is an error, not dropped silently)."""
    if not author["name"]:
        raise RecordError(f"Author {index + 1} has no name.", {"authors": [index]})
    try:
        orcid = normalise_orcid(author["orcid"]) if author["orcid"] else ""
    except ValidationError as exc:
        raise RecordError(
            f"Author {author['name']}: {exc.messages[0]}",
            {"orcid": author["orcid"]},
            "invalid_orcid",
        ) from exc
    return {"name": author["name"], "orcid": orcid}


def _text(value: Any) -> str:
    """The first string of a value that may be a string or a list of strings."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return TAGS.sub("", value).strip() if isinstance(value, str) else ""


def _year(issued: Any) -> int | None:
    """The year of a CSL/Crossref date (``{"date-parts": [[2024, 5]]}``)."""
    try:
        return int(issued["date-parts"][0][0])
    except (TypeError, KeyError, IndexError, ValueError):
        return None


def _csl_name(person: dict) -> dict:
    """A CSL/Crossref name (given/family or literal) with its ORCID."""
    if not isinstance(person, dict):
        raise RecordError("An author entry is not an object.", {"authors": [repr(person)[:80]]})
    name = person.get("literal") or " ".join(
        part for part in (person.get("given"), person.get("family")) if part
    )
    return {"name": (name or person.get("name") or "").strip(), "orcid": person.get("ORCID", "")}


def _licence_url(licences: Any) -> str:
    """The first licence URL of a Crossref ``license`` list."""
    if isinstance(licences, list) and licences and isinstance(licences[0], dict):
        return licences[0].get("URL", "")
    return licences if isinstance(licences, str) else ""


def _from_crossref(work: dict) -> dict:
    issued = work.get("issued") or work.get("published") or work.get("published-print")
    return {
        "doi": work.get("DOI", ""),
        "title": _text(work.get("title")),
        "year": _year(issued),
        "venue": _text(work.get("container-title")) or _text(work.get("publisher")),
        "abstract": _text(work.get("abstract")),
        "licence": _licence_url(work.get("license")),
        "authors": [_csl_name(a) for a in _as_list(work.get("author"))],
    }


def _from_csl(work: dict) -> dict:
    fields = _from_crossref(work)
    fields["licence"] = _licence_url(work.get("license") or work.get("licence") or "")
    return fields


def _from_datacite(work: dict) -> dict:
    titles = [t.get("title", "") for t in _as_list(work.get("titles")) if isinstance(t, dict)]
    abstracts = [
        d.get("description", "")
        for d in _as_list(work.get("descriptions"))
        if isinstance(d, dict) and d.get("descriptionType", "Abstract") == "Abstract"
    ]
    rights = [r for r in _as_list(work.get("rightsList")) if isinstance(r, dict)]
    publisher = work.get("publisher")
    container = work.get("container") if isinstance(work.get("container"), dict) else {}
    year = work.get("publicationYear")
    return {
        "doi": work.get("doi") or work.get("id") or "",
        "title": _text(titles),
        "year": int(year) if str(year or "").isdigit() else None,
        "venue": container.get("title")
        or (publisher.get("name", "") if isinstance(publisher, dict) else publisher or ""),
        "abstract": _text(abstracts),
        "licence": (rights[0].get("rightsIdentifier") or rights[0].get("rightsUri", ""))
        if rights
        else "",
        "authors": [_datacite_creator(c) for c in _as_list(work.get("creators"))],
    }


def _datacite_creator(creator: dict) -> dict:
    if not isinstance(creator, dict):
        raise RecordError("A creator entry is not an object.", {"creators": [repr(creator)[:80]]})
    orcid = next(
        (
            i.get("nameIdentifier", "")
            for i in _as_list(creator.get("nameIdentifiers"))
            if isinstance(i, dict) and str(i.get("nameIdentifierScheme", "")).upper() == "ORCID"
        ),
        "",
    )
    given, family = creator.get("givenName"), creator.get("familyName")
    name = " ".join(p for p in (given, family) if p) if given or family else creator.get("name")
    return {"name": (name or "").strip(), "orcid": orcid}


def _as_list(value: Any) -> list:
    """``value`` if it is a list, else an empty list."""
    return value if isinstance(value, list) else []
