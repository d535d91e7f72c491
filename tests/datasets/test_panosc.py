"""The PaNOSC search API: the example queries of its documentation, on our own test data."""

import json
from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from datasets.models import Parameter
from tests.datasets.factories import (
    DatasetFactory,
    DatasetFileFactory,
    DocumentFactory,
    add_parameter,
)

pytestmark = pytest.mark.django_db
DATASETS, DOCUMENTS = "/panosc/Datasets", "/panosc/Documents"
MADE = datetime(2023, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def catalogue(hierarchy):
    """Four datasets and two documents, in the spirit of the PaNOSC test database."""
    copper = DatasetFactory(
        pid="10.5072/cat/ds-copper",
        title="Copper sheet",
        creation_date=MADE,
        techniques=[hierarchy["sans"]],
        instrument_name="D11",
        facility_name="ILL",
        samples=[{"pid": "s1", "name": "copper sheet"}],
    )
    add_parameter(copper, "chemical_formula", "Cu")
    add_parameter(copper, "sample_state", "solid")
    DatasetFileFactory(dataset=copper, name="copper-file1.nxs")
    energy = DatasetFactory(
        pid="10.5072/cat/ds-energy",
        title="Soft x-ray run",
        creation_date=MADE,
        techniques=[hierarchy["saxs"]],
    )
    add_parameter(energy, "photon_energy", 930, "eV")
    cold = DatasetFactory(
        pid="10.5072/cat/ds-cold",
        title="Cold absorption",
        creation_date=MADE,
        techniques=[hierarchy["xas"]],
        samples=[{"pid": "s2", "name": "iron powder"}],
    )
    add_parameter(cold, "temperature", 20, "celsius")
    laser = DatasetFactory(
        pid="10.5072/cat/ds-laser",
        title="Laser absorption",
        creation_date=MADE,
        techniques=[hierarchy["xas"], hierarchy["msans"]],
    )
    add_parameter(laser, "wavelength", 1064, "nm")
    DatasetFileFactory(dataset=laser, name="laser-file2.nxs")
    DatasetFactory(pid="10.5072/cat/ds-hidden", title="Private", is_public=False)
    publication = DocumentFactory(
        pid="10.5072/cat/doc-paper",
        type="publication",
        title="Copper paper",
        datasets=[copper, energy],
    )
    add_parameter(publication, "wavelength", 1064, "nm")
    DocumentFactory(
        pid="10.5072/cat/doc-proposal",
        type="proposal",
        title="Absorption proposal",
        datasets=[cold, laser],
        members=[
            {"role": "principal investigator", "person": {"fullName": "Lise Meitner"}},
            {"role": "co-investigator", "person": {"fullName": "Otto Hahn"}},
        ],
    )


def get(url: str, flt: dict | None = None, **params):
    """GET with the filter as JSON; the answer's JSON."""
    if flt is not None:
        params["filter"] = json.dumps(flt)
    response = APIClient().get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def scoped(relation: str, where: dict) -> dict:
    """``{"include": [{"relation": relation, "scope": {"where": where}}]}``."""
    return {"include": [{"relation": relation, "scope": {"where": where}}]}


def test_datasets_without_filter_have_the_model_fields(catalogue):
    answer = get(DATASETS)
    assert len(answer) == 4  # the private one is not shown
    for dataset in answer:
        assert {"pid", "title", "isPublic", "creationDate", "score"} <= set(dataset)
    assert answer[0]["creationDate"] == "2023-06-01T12:00:00Z"


def test_datasets_by_technique_name(catalogue):
    answer = get(DATASETS, scoped("techniques", {"name": "x-ray absorption"}))
    assert {d["pid"] for d in answer} == {"10.5072/cat/ds-cold", "10.5072/cat/ds-laser"}
    for dataset in answer:
        assert [t["name"] for t in dataset["techniques"]] == ["x-ray absorption"]
        assert dataset["techniques"][0]["pid"].startswith("http://purl.org/pan-science/PaNET/")


def test_technique_names_include_narrower_terms_and_combine(catalogue):
    def found(where):
        return {d["pid"].rsplit("-", 1)[1] for d in get(DATASETS, scoped("techniques", where))}

    assert found({"name": "small angle scattering"}) == {"copper", "energy", "laser"}
    assert found({"name": "SAS"}) == {"copper", "energy", "laser"}  # a synonym
    assert found({"name": {"neq": "small angle scattering"}}) == {"cold"}
    assert found(
        {"and": [{"name": "small angle scattering"}, {"name": "magnetism technique"}]}
    ) == {"laser"}
    assert found(
        {"or": [{"name": "small angle x-ray scattering"}, {"name": "x-ray absorption"}]}
    ) == {"energy", "cold", "laser"}
    assert found(
        {"and": [{"name": "small angle scattering"}, {"name": {"neq": "magnetism technique"}}]}
    ) == {"copper", "energy"}
    assert found({"pid": "http://purl.org/pan-science/PaNET/T0004"}) == {"copper", "laser"}


def test_datasets_by_photon_energy_range_in_ev(catalogue):
    where = {"and": [{"name": "photon_energy"}, {"value": {"between": [880, 990]}}, {"unit": "eV"}]}
    answer = get(DATASETS, scoped("parameters", where))
    assert [d["pid"] for d in answer] == ["10.5072/cat/ds-energy"]
    [energy] = Parameter.objects.filter(dataset__pid="10.5072/cat/ds-energy")
    assert answer[0]["parameters"] == [
        {"id": energy.pk, "name": "photon_energy", "value": 930, "unit": "eV"}
    ]


def test_units_are_converted_both_ways(catalogue):
    where = {
        "and": [{"name": "photon_energy"}, {"value": {"between": [0.88, 0.99]}}, {"unit": "keV"}]
    }
    answer = get(DATASETS, scoped("parameters", where))
    assert [d["pid"] for d in answer] == ["10.5072/cat/ds-energy"]
    assert answer[0]["parameters"][0]["unit"] == "keV"
    assert answer[0]["parameters"][0]["value"] == pytest.approx(0.93)


def test_datasets_with_a_solid_sample_or_copper(catalogue):
    where = {
        "or": [
            {"and": [{"name": "sample_state"}, {"value": "solid"}]},
            {"and": [{"name": "chemical_formula"}, {"value": "Cu"}]},
        ]
    }
    answer = get(DATASETS, scoped("parameters", where))
    assert len(answer) == 1
    assert [(p["name"], p["value"]) for p in answer[0]["parameters"]] == [
        ("chemical_formula", "Cu"),
        ("sample_state", "solid"),
    ]


def test_datasets_with_temperature_below_80_celsius(catalogue):
    where = {"and": [{"name": "temperature"}, {"value": {"lt": 80}}, {"unit": "celsius"}]}
    answer = get(DATASETS, scoped("parameters", where))
    assert [d["pid"] for d in answer] == ["10.5072/cat/ds-cold"]
    assert answer[0]["parameters"][0]["value"] == pytest.approx(20)
    where_kelvin = {"and": [{"name": "temperature"}, {"value": {"lt": 290}}, {"unit": "K"}]}
    assert get(DATASETS, scoped("parameters", where_kelvin)) == []


def test_datasets_with_files_matching_text(catalogue):
    answer = get(DATASETS, scoped("files", {"text": "file1"}))
    assert [d["pid"] for d in answer] == ["10.5072/cat/ds-copper"]
    assert all("file1" in f["name"] for f in answer[0]["files"])


def test_where_on_dataset_fields_limit_skip_and_count(catalogue):
    titles = get(DATASETS, {"where": {"title": {"like": "%absorption"}}})
    assert {d["title"] for d in titles} == {"Cold absorption", "Laser absorption"}
    assert len(get(DATASETS, {"limit": 2})) == 2
    assert len(get(DATASETS, {"skip": 3})) == 1
    assert (
        get(DATASETS, {"where": {"pid": {"inq": ["10.5072/cat/ds-cold", "x"]}}})[0]["title"]
        == "Cold absorption"
    )
    assert get(f"{DATASETS}/count", where=json.dumps({"title": {"like": "%absorption"}})) == {
        "count": 2
    }
    assert get(f"{DATASETS}/count") == {"count": 4}


def test_instrument_and_samples_includes(catalogue):
    answer = get(
        DATASETS, {"where": {"pid": "10.5072/cat/ds-copper"}, "include": ["instrument", "samples"]}
    )
    assert answer[0]["instrument"] == {"pid": "", "name": "D11", "facility": "ILL"}
    assert answer[0]["samples"][0]["name"] == "copper sheet"
    answer = get(DATASETS, scoped("samples", {"name": "iron powder"}))
    assert [d["pid"] for d in answer] == ["10.5072/cat/ds-cold"]


def test_dataset_detail_by_pid_with_slashes(catalogue):
    answer = get(
        f"{DATASETS}/10.5072/cat/ds-copper", {"include": ["techniques", "parameters", "documents"]}
    )
    assert answer["pid"] == "10.5072/cat/ds-copper"
    assert {"title", "isPublic", "creationDate"} <= set(answer)
    assert answer["documents"][0]["pid"] == "10.5072/cat/doc-paper"
    response = APIClient().get(f"{DATASETS}/10.5072/cat/ds-hidden")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_query_text_search_scores(catalogue):
    answer = get(DATASETS, query="laser absorption")
    assert answer[0]["pid"] == "10.5072/cat/ds-laser" and answer[0]["score"] == 1
    assert {d["pid"] for d in answer} == {"10.5072/cat/ds-laser", "10.5072/cat/ds-cold"}


def test_documents_without_filter_and_detail(catalogue):
    answer = get(DOCUMENTS)
    assert {d["pid"] for d in answer} == {"10.5072/cat/doc-paper", "10.5072/cat/doc-proposal"}
    for document in answer:
        assert {"pid", "isPublic", "type", "title", "score"} <= set(document)
    detail = get(f"{DOCUMENTS}/10.5072/cat/doc-paper")
    assert detail["type"] == "publication"
    assert get(f"{DOCUMENTS}/count", where=json.dumps({"type": "proposal"})) == {"count": 1}


def test_proposals_with_a_given_principal_investigator(catalogue):
    query = {
        "where": {"type": "proposal"},
        "include": [
            {"relation": "datasets"},
            {
                "relation": "members",
                "scope": {
                    "where": {"role": "principal investigator"},
                    "include": [
                        {"relation": "person", "scope": {"where": {"fullName": "Lise Meitner"}}}
                    ],
                },
            },
        ],
    }
    answer = get(DOCUMENTS, query)
    assert [d["pid"] for d in answer] == ["10.5072/cat/doc-proposal"]
    assert len(answer[0]["datasets"]) == 2
    assert [m["person"]["fullName"] for m in answer[0]["members"]] == ["Lise Meitner"]
    query["include"][1]["scope"]["include"][0]["scope"]["where"]["fullName"] = "Nobody"
    assert get(DOCUMENTS, query) == []


def test_documents_by_wavelength_and_by_dataset_wavelength(catalogue):
    where = {"and": [{"name": "wavelength"}, {"value": {"between": [1000, 1100]}}, {"unit": "nm"}]}
    answer = get(DOCUMENTS, scoped("parameters", where))
    assert [d["pid"] for d in answer] == ["10.5072/cat/doc-paper"]
    assert answer[0]["parameters"][0]["value"] == pytest.approx(1064)
    nested = {
        "include": [
            {
                "relation": "datasets",
                "scope": {"include": [{"relation": "parameters", "scope": {"where": where}}]},
            }
        ]
    }
    answer = get(DOCUMENTS, nested)
    assert [d["pid"] for d in answer] == ["10.5072/cat/doc-proposal"]
    assert [d["pid"] for d in answer[0]["datasets"]] == ["10.5072/cat/ds-laser"]
    assert answer[0]["datasets"][0]["parameters"][0]["unit"] == "nm"


def test_documents_by_dataset_sample_and_technique(catalogue):
    query = {
        "include": [
            {
                "relation": "datasets",
                "scope": {
                    "include": [
                        {"relation": "samples", "scope": {"where": {"name": "iron powder"}}},
                        {
                            "relation": "techniques",
                            "scope": {"where": {"name": "x-ray absorption"}},
                        },
                    ]
                },
            }
        ]
    }
    answer = get(DOCUMENTS, query)
    assert [d["pid"] for d in answer] == ["10.5072/cat/doc-proposal"]
    datasets = answer[0]["datasets"]
    assert [d["pid"] for d in datasets] == ["10.5072/cat/ds-cold"]
    assert datasets[0]["techniques"][0]["name"] == "x-ray absorption"


def test_documents_with_datasets_having_a_file_matching_text(catalogue):
    query = {
        "include": [
            {
                "relation": "datasets",
                "scope": {
                    "include": [{"relation": "files", "scope": {"where": {"text": "file2"}}}]
                },
            }
        ]
    }
    answer = get(DOCUMENTS, query)
    assert [d["pid"] for d in answer] == ["10.5072/cat/doc-proposal"]
    assert answer[0]["datasets"][0]["files"][0]["name"] == "laser-file2.nxs"


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        "[1, 2]",
        '{"include": [{"relation": "nothing"}]}',
        '{"where": {"colour": "red"}}',
        '{"limit": -1}',
        '{"where": {"title": {"between": [1]}}}',
    ],
)
def test_bad_filters_are_400_in_the_error_shape(catalogue, raw):
    response = APIClient().get(DATASETS, {"filter": raw})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_filter"


def nested_where(levels: int) -> dict:
    where = {"title": "Copper sheet"}
    for _ in range(levels):
        where = {"and": [where]}
    return {"where": where}


LARGE_FILTERS = {
    # An or of 1,500 clauses was past SQLite's expression depth: the answer was a 503.
    "or of 1,500 clauses": {"where": {"or": [{"title": {"like": f"x{i}"}} for i in range(1500)]}},
    "and of 1,500 clauses": {"where": {"and": [{"title": f"x{i}"} for i in range(1500)]}},
    "inq of 5,000 values": {"where": {"pid": {"inq": [f"p{i}" for i in range(5000)]}}},
    "and nested 40 times": nested_where(40),
}


@pytest.mark.parametrize("name", list(LARGE_FILTERS))
@pytest.mark.parametrize("url", [DATASETS, DOCUMENTS, "/panosc/Instruments"])
def test_filters_past_their_bounds_are_400_never_a_server_error(catalogue, url, name):
    response = APIClient().get(url, {"filter": json.dumps(LARGE_FILTERS[name])})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "invalid_filter"


def test_a_where_nested_past_the_parser_is_400(catalogue):
    deep = "[" * 100_000 + "]" * 100_000
    response = APIClient().get(f"{DATASETS}/count", {"where": '{"and": ' + deep + "}"})
    assert response.status_code == 400
    assert "nests deeper than" in response.json()["error"]["message"]


def test_filters_within_their_bounds_are_answered(catalogue):
    pids = [f"p{i}" for i in range(999)] + ["10.5072/cat/ds-copper"]
    assert [d["pid"] for d in get(DATASETS, {"where": {"pid": {"inq": pids}}})] == [
        "10.5072/cat/ds-copper"]  # fmt: skip
    clauses = [{"title": f"x{i}"} for i in range(160)] + [{"title": "Copper sheet"}]
    assert len(get(DATASETS, {"where": {"or": clauses}})) == 1  # 322 keys
    assert len(get(DATASETS, nested_where(14))) == 1  # 31 levels of objects and lists


def test_an_unknown_field_of_instruments_is_named_in_plural_once():
    response = APIClient().get("/panosc/Instruments", {"filter": '{"where": {"colour": "red"}}'})
    assert "of instruments; known: facility, name, pid." in response.json()["error"]["message"]


def test_bad_unit_in_a_parameter_query_is_400(catalogue):
    where = {
        "and": [{"name": "wavelength"}, {"value": {"gt": 1}}, {"unit": "parsecs-per-fortnight"}]
    }
    response = APIClient().get(DATASETS, {"filter": json.dumps(scoped("parameters", where))})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_unit"


def test_pages_are_slices_of_the_whole_answer_in_its_order(catalogue):
    everything = [d["pid"] for d in get(DATASETS)]
    for skip, limit in [(0, 1), (1, 2), (3, 5), (4, 1)]:
        page = get(DATASETS, {"skip": skip, "limit": limit})
        assert [d["pid"] for d in page] == everything[skip : skip + limit]
    assert get(DATASETS, {"skip": 10**30}) == []  # past the end, not an overflow


def test_pages_of_python_matched_includes_and_text_search_skip_only_matches(catalogue):
    with_samples = scoped("samples", {"name": {"like": "%"}})
    matching = [d["pid"] for d in get(DATASETS, with_samples)]
    assert len(matching) == 2
    assert [d["pid"] for d in get(DATASETS, {**with_samples, "skip": 1})] == matching[1:]
    found = [d["pid"] for d in get(DATASETS, query="absorption")]
    assert [d["pid"] for d in get(DATASETS, {"skip": 1}, query="absorption")] == found[1:]


def test_a_page_costs_the_same_queries_whatever_its_length(catalogue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    flt = {"include": ["techniques", "parameters", "files", "instrument"]}
    counts = []
    for limit in (1, 4):
        with CaptureQueriesContext(connection) as captured:
            assert len(get(DATASETS, {**flt, "limit": limit})) == limit
        counts.append(len(captured))
        paged = [q["sql"] for q in captured.captured_queries if "LIMIT" in q["sql"].upper()]
        assert paged, "skip and limit should be applied in the database"
    assert counts[0] == counts[1]


def test_files_carry_their_mandatory_id(catalogue):
    from datasets.models import DatasetFile

    [copper] = get(DATASETS, {"where": {"pid": "10.5072/cat/ds-copper"}, "include": ["files"]})
    [row] = DatasetFile.objects.filter(dataset__pid="10.5072/cat/ds-copper")
    assert copper["files"] == [{"id": row.pk, "name": row.name, "path": row.path, "size": row.size}]
