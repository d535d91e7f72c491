"""Importing records: Crossref, DataCite, CSL JSON; bad records and DOIs write nothing."""

import json
from pathlib import Path

import pytest
import requests
from django.core.management import CommandError, call_command

from publications.compare import compare_numbers
from publications.models import Publication
from publications.validators import normalise_doi

RECORDS = Path(__file__).parent / "records"
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "doi", "authors", "year", "venue"),
    [
        ("crossref-wrapped.json", "10.5072/test.crossref-01",
         [("Tess Tester", "0000-0000-0000-1012"), ("Uma Unverified", "")], 2022,
         "Test Journal of Registry Records"),
        ("datacite.json", "10.5072/test.datacite-01", [("Val Vance", "0000-0000-0000-2023")],
         2021, "Test Data Repository"),
        ("csl.json", "10.5072/test.csl-01",
         [("Test Collaboration", ""), ("Wim Writer", "0000-0000-0000-3034")], 2020, "Test Letters"),
    ],
)  # fmt: skip
def test_import_each_format(name, doi, authors, year, venue):
    call_command("import_publication", str(RECORDS / name))
    publication = Publication.objects.get()
    assert publication.doi == doi
    assert [(a.name, a.orcid) for a in publication.authors.all()] == authors
    assert (publication.year, publication.venue) == (year, venue)
    assert "<" not in publication.title


def test_import_twice_updates_without_duplicates():
    call_command("import_publication", str(RECORDS / "csl.json"))
    call_command("import_publication", str(RECORDS / "csl.json"))
    assert Publication.objects.count() == 1
    assert Publication.objects.get().authors.count() == 2


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("bad-doi.json", "not a DOI"),
        ("bad-orcid.json", "wrong check digit"),
        ("no-title.json", "no title"),
        ("not-json.json", "not JSON"),
        ("missing.json", "No such file"),
        ("11.22/nope", "not a DOI"),
        ("10.5072/ has space", "not a DOI"),
    ],
)
def test_bad_records_and_dois_are_one_clear_error_and_write_nothing(source, message):
    path = RECORDS / source
    with pytest.raises(CommandError, match=message) as raised:
        call_command("import_publication", str(path) if source.endswith(".json") else source)
    assert "\n" not in str(raised.value)
    assert Publication.objects.count() == 0


def test_doi_without_network_is_a_clear_error(monkeypatch):
    def offline(*args, **kwargs):
        raise requests.ConnectionError("no route to host")

    monkeypatch.setattr(requests, "get", offline)
    with pytest.raises(CommandError, match="Could not reach https://doi.org/10.5072/x"):
        call_command("import_publication", "https://doi.org/10.5072/X")
    assert Publication.objects.count() == 0


def test_doi_normalisation():
    assert normalise_doi("doi:10.5072/ABC/def") == "10.5072/abc/def"
    assert normalise_doi("https://dx.doi.org/10.5072/X") == "10.5072/x"


def test_numeric_comparison_names_row_and_column():
    expected = "a,b\n1.0,2.0\n3.0,4.0\n"
    verdict = compare_numbers(expected, "a,b\n1.0,2.0\n3.0,4.5\n", "t.csv", 0.1, 0.0)
    assert verdict.status == "differs"
    assert verdict.details["field"] == "row 2, column b"
    assert compare_numbers(expected, "a,b\n1.0,2.0\n3.0,4.05\n", "t.csv", 0.1, 0).status == (
        "reproduced"
    )
    shape = compare_numbers(expected, "a,b\n1.0,2.0\n", "t.csv", 0.1, 0)
    assert shape.details["kind"] == "structure_mismatch"
    nested = compare_numbers('{"x": {"y": [1, 2]}}', '{"x": {"y": [1, 2.5]}}', "r.json", 0, 0.01)
    assert nested.details["field"] == "x.y[1]"


def csl_with(**changes) -> dict:
    record = {"type": "article-journal", "DOI": "10.5072/test.bounds", "title": "Bounds",
              "author": [{"literal": "A. Author"}], "issued": {"date-parts": [[2020]]}}  # fmt: skip
    record.update(changes)
    return record


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issued": {"date-parts": [[-5]]}}, "year -5 is not between"),
        ({"issued": {"date-parts": [[99999]]}}, "year 99999 is not between"),
        ({"title": "t" * 1001}, "title is longer than 1000"),
        ({"container-title": "v" * 501}, "venue is longer than 500"),
        ({"license": "l" * 256}, "licence is longer than 255"),
        ({"DOI": "10.5072/" + "d" * 250}, "doi is longer than 255"),
        ({"author": [{"literal": "n" * 301}]}, "Author 1's name is longer than 300"),
    ],
)
def test_out_of_range_records_are_refused_before_writing(tmp_path, changes, message):
    path = tmp_path / "record.json"
    path.write_text(json.dumps(csl_with(**changes)))
    with pytest.raises(CommandError, match=message):
        call_command("import_publication", str(path))
    assert Publication.objects.count() == 0


def test_the_longest_allowed_values_are_stored(tmp_path):
    path = tmp_path / "record.json"
    path.write_text(json.dumps(csl_with(title="t" * 1000, issued={"date-parts": [[1665]]})))
    call_command("import_publication", str(path))
    assert Publication.objects.get().year == 1665
