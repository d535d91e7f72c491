"""Every example query of the PaNOSC search API's documentation, run against our /panosc
endpoints on the reference's own test database (``data/db.json``).

The reference is read in place from ../shared/reference/panosc-search-api (skipped locally
when missing, failing under CI=true); nothing of it is copied into the project. Its loopback
database is turned into PaNOSC JSON and imported with ``import_panosc``'s importer. Each
answer must have the shape of the data model (``common/models/*.json``: its required
properties) and the content of the documented response (the same pids, in the same order).
"""

import json
import re

import pytest
from rest_framework.test import APIClient

from datasets.panosc.importer import import_panosc
from tests.conftest import shared_path

pytestmark = pytest.mark.django_db
REFERENCE = "reference/panosc-search-api"
ENDPOINTS = {"dataset": "Datasets", "document": "Documents", "instrument": "Instruments"}
# "### title", then a "#### Filter" block, then (after the curl) a "#### Response" block.
EXAMPLE = re.compile(
    r"^### (?P<title>.+?)\n.*?#### Filter\s*```json\n(?P<filter>.*?)```"
    r".*?#### Response\s*```json\n(?P<response>.*?)```",
    re.S | re.M,
)


def examples() -> list:
    """``(model, title, filter, documented response)`` of every *-example-queries.md."""
    from tests.conftest import SHARED_DIR

    found = []
    for path in sorted((SHARED_DIR / REFERENCE / "doc").glob("*-example-queries.md")):
        model = path.name.split("-", 1)[0]
        for match in EXAMPLE.finditer(path.read_text(encoding="utf-8")):
            found.append(
                pytest.param(
                    model,
                    json.loads(match["filter"]),
                    json.loads(match["response"]),
                    id=f"{model}: {match['title']}",
                )
            )
    return found or [pytest.param(None, None, None, id="reference missing")]


def required_properties(model: str) -> set[str]:
    """The required properties of a model of the reference (``common/models/<model>.json``)."""
    definition = json.loads(shared_path(f"{REFERENCE}/common/models/{model}.json").read_text())
    return {name for name, spec in definition["properties"].items() if spec.get("required")}


RELATION_MODELS = {
    "instrument": "instrument", "parameters": "parameter", "files": "file", "samples": "sample",
    "techniques": "technique", "datasets": "dataset", "documents": "document",
    "members": "member", "person": "person", "affiliation": "affiliation",
}  # fmt: skip


def assert_shape(item: dict, model: str) -> None:
    """``item`` and every related item it includes have their model's required properties."""
    missing = required_properties(model) - set(item)
    assert not missing, f"{model} lacks {sorted(missing)}: {item}"
    for relation, related_model in RELATION_MODELS.items():
        related = item.get(relation)
        for child in related if isinstance(related, list) else [related] if related else []:
            assert_shape(child, related_model)


# What answers must agree on. Not compared: ids and foreign keys (internal to each catalogue),
# scores, and technique pids (ours are the PaNET IRIs; the reference's test database has its
# own), nor the creationDate's spelling (ours has microseconds).
COMPARED = {"pid", "name", "title", "isPublic", "type", "value", "unit", "facility", "role",
            "fullName"}  # fmt: skip


def shape(documented: dict) -> dict:
    """The properties a documented item shows: ``{name: None}`` for values, ``{relation: the
    shape of its included items}`` (merged over them) for relations."""
    tree: dict = {}
    for key, value in documented.items():
        if key not in RELATION_MODELS:
            tree[key] = None
            continue
        children = value if isinstance(value, list) else [value] if value else []
        merged = tree.get(key) or {}
        for child in children:
            merged = {**merged, **shape(child)}
        tree[key] = merged
    return tree


def content(item: dict, tree: dict, relation: str = "") -> str:
    """What an item says about the properties of ``tree`` (its ``COMPARED`` values and its
    included relations, recursively), as canonical JSON; included lists compare without
    regard to order, and 930.0 is 930 (JSON has one kind of number)."""
    said = {}
    for key in tree.keys() & item.keys():
        value = item[key]
        if key in RELATION_MODELS:
            children = value if isinstance(value, list) else [value] if value else []
            said[key] = sorted(content(child, tree[key], key) for child in children)
        elif key in COMPARED and not (relation == "techniques" and key == "pid"):
            said[key] = int(value) if isinstance(value, float) and value.is_integer() else value
    return json.dumps(said, sort_keys=True)


def panosc_items(models: dict) -> list[dict]:
    """The loopback database ``models`` as PaNOSC JSON: instruments, then documents that
    carry their datasets (with techniques, parameters, files, samples, instrument)."""
    table = {name: [json.loads(row) for row in rows.values()] for name, rows in models.items()}
    by_pid = {name: {row.get("pid", row.get("id")): row for row in table[name]} for name in table}

    def children(name: str, key: str, value) -> list[dict]:
        return [row for row in table[name] if row.get(key) == value]

    def dataset(row: dict) -> dict:
        pid = row["pid"]
        return {
            **row,
            "instrument": by_pid["Instrument"].get(row.get("instrumentId")),
            "techniques": [by_pid["Technique"][link["techniqueId"]]
                           for link in children("DatasetTechnique", "datasetId", pid)],
            "samples": [by_pid["Sample"][link["sampleId"]]
                        for link in children("DatasetSample", "datasetId", pid)],
            "parameters": children("Parameter", "datasetId", pid),
            "files": children("File", "datasetId", pid),
        }  # fmt: skip

    def member(row: dict) -> dict:
        return {
            "id": row["id"],
            "role": row.get("role"),
            "person": by_pid["Person"].get(row.get("personId")),
            "affiliation": by_pid["Affiliation"].get(row.get("affiliationId")),
        }

    documents = []
    for row in table["Document"]:
        pids = [link["datasetId"] for link in children("DocumentDataset", "documentId", row["pid"])]
        documents.append({
            **row,
            "datasets": [dataset(by_pid["Dataset"][pid]) for pid in pids],
            "members": [member(m) for m in children("Member", "documentId", row["pid"])],
            "parameters": children("Parameter", "documentId", row["pid"]),
        })  # fmt: skip
    return [*table["Instrument"], *documents]


@pytest.fixture
def reference_catalogue(db):
    """The reference's test database imported, with the PaNET ontology its techniques use."""
    from ontologies.services import load_snapshot

    load_snapshot()
    models = json.loads(shared_path(f"{REFERENCE}/data/db.json").read_text())["models"]
    report = import_panosc(json.dumps(panosc_items(models)))
    assert report.datasets == len(models["Dataset"]) and report.unknown_techniques == []


def test_the_reference_has_example_queries():
    shared_path(REFERENCE)
    models = {param.values[0] for param in examples()}
    assert models == {"dataset", "document", "instrument"}


@pytest.mark.parametrize(("model", "flt", "documented"), examples())
def test_example_query(reference_catalogue, model, flt, documented):
    response = APIClient().get(f"/panosc/{ENDPOINTS[model]}", {"filter": json.dumps(flt)})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert isinstance(answer, list)
    for item in answer:
        assert_shape(item, model)
    assert [item["pid"] for item in answer] == [item["pid"] for item in documented]
    for ours, theirs in zip(answer, documented, strict=True):
        assert content(ours, shape(theirs)) == content(theirs, shape(theirs))


def test_instrument_detail_count_and_bad_filters(reference_catalogue):
    client = APIClient()
    loki = "20.500.12269/0f98fcf2-7bd7-430e-ad20-d47031ca8f71"
    detail = client.get(f"/panosc/Instruments/{loki}")
    assert detail.status_code == 200
    assert detail.json() == {"pid": loki, "name": "LoKI", "facility": "ESS", "score": 0}
    assert client.get("/panosc/Instruments/no-such-pid").status_code == 404
    models = json.loads(shared_path(f"{REFERENCE}/data/db.json").read_text())["models"]
    names = [json.loads(row)["name"] for row in models["Instrument"].values()]
    asked = ["LoKI", "ODIN", "no such instrument"]
    where = json.dumps({"name": {"inq": asked}})
    count = client.get("/panosc/Instruments/count", {"where": where})
    assert count.json() == {"count": len(set(asked) & set(names))}
    assert client.get("/panosc/Instruments/count").json() == {"count": len(names)}
    refused = client.get("/panosc/Instruments", {"filter": json.dumps({"include": ["datasets"]})})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_filter"
    found = client.get("/panosc/Instruments", {"query": "loki"}).json()
    assert [item["pid"] for item in found] == [loki] and found[0]["score"] == 1


def test_content_comparison_sees_a_difference():
    documented = {"pid": "d", "parameters": [{"id": 1, "name": "t", "value": 20, "unit": "K"}]}
    same = {
        "pid": "d",
        "size": 1,
        "parameters": [{"id": 9, "name": "t", "value": 20.0, "unit": "K"}],
    }
    other = {"pid": "d", "parameters": [{"id": 1, "name": "t", "value": 21, "unit": "K"}]}
    assert content(same, shape(documented)) == content(documented, shape(documented))
    assert content(other, shape(documented)) != content(documented, shape(documented))
