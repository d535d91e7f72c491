"""Recommendations for real and example NeXus files, with the demo procedures loaded.

Needs the demo manifests (fixtures/procedures) and ../shared/nexus-samples: without them these
tests skip locally and fail under CI=true (``tests.conftest.require``), never a silent pass.
"""

import csv
import json
import os
import re
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from ontologies.models import Term
from ontologies.services import ancestor_ids, descendant_ids, load_snapshot
from recommender import services
from recommender.evaluation import evaluate, gold_cases
from tests.conftest import SHARED_DIR, require, shared_path

pytestmark = pytest.mark.django_db
PANET = "http://purl.org/pan-science/PaNET/"
SAXS_SAMPLE = "APS/NXsas/hdf5/nexus-example.hdf5"
SAXS_PROCEDURES = {"saxs-azimuthal-integration", "saxs-guinier-analysis"}

# Samples whose accepted techniques no recommendable demo procedure serves yet, and why. Strict
# xfail: the day one is fixed the test passes, fails as XPASS, and the entry must go.
KNOWN_GAPS: dict[str, str] = {}


def manifest_rows() -> list[dict]:
    """Rows of nexus-samples/MANIFEST.tsv (none when the shared folder is missing)."""
    path = SHARED_DIR / "nexus-samples" / "MANIFEST.tsv"
    if not path.is_file():
        return []
    with path.open() as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [row for row in rows if row["kind"] != "bad-input"]


def sample_params():
    """One parameter per sample; known gaps are strict xfails naming what is missing."""
    for row in manifest_rows():
        marks = []
        if row["file"] in KNOWN_GAPS:
            marks = [pytest.mark.xfail(reason=KNOWN_GAPS[row["file"]], strict=True)]
        yield pytest.param(row, id=row["file"], marks=marks)


@pytest.fixture
def demo(db):
    """The ontology snapshot, the facilities and the demo procedures."""
    from registry import demo

    require(bool(demo.demo_manifests()), "no demo procedure manifests in fixtures/procedures yet")
    load_snapshot()
    demo.load_facilities()
    demo.load_procedures(progress=False)


def test_the_sample_manifest_is_there():
    assert manifest_rows() == [] or shared_path("nexus-samples/MANIFEST.tsv")
    require(bool(manifest_rows()), "../shared/nexus-samples/MANIFEST.tsv missing or empty")


def test_every_manifest_technique_has_a_published_demo_procedure(demo):
    """Each technique named in MANIFEST.tsv is served by a published demo procedure, at the
    term itself or at a narrower one."""
    from registry.models import ProcedureVersion

    with shared_path("nexus-samples/MANIFEST.tsv").open() as handle:
        named = {
            t
            for row in csv.DictReader(handle, delimiter="\t")
            for t in row["techniques"].split("|")
            if t
        }
    published = ProcedureVersion.objects.filter(status="published", procedure__status="published")
    served = set(published.values_list("procedure__techniques", flat=True))
    unserved = []
    for number in sorted(named):
        term = Term.objects.get(iri=PANET + number)
        if not descendant_ids([term.pk]) & served:
            unserved.append(f"{number} {term.label}")
    assert len(named) >= 30
    assert unserved == []


@pytest.mark.parametrize("row", sample_params())
def test_first_recommendation_serves_an_accepted_technique(demo, row):
    """With the default options (compatible procedures only), the best-ranked procedure serves
    an accepted technique or a narrower one; files without techniques answer "unknown" with a
    reason."""
    path = shared_path("nexus-samples") / row["file"]
    answer = services.recommend_for_file(path, k=3)
    if not row["techniques"]:
        assert answer["query"]["technique_status"] == "unknown"
        assert answer["query"]["technique_unknown_reason"]
        # Without a technique only shared words can recommend, and the reasons say so.
        assert all(r["reasons"][0]["type"] == "text" for r in answer["results"])
        return
    assert answer["results"], f"no procedure for {answer['query']['techniques']}"
    accepted = Term.objects.filter(iri__in=[PANET + t for t in row["techniques"].split("|")])
    top = answer["results"][0]["procedure"]
    served = Term.objects.filter(procedures__slug=top).values_list("pk", flat=True)
    assert ancestor_ids(served) & set(accepted.values_list("pk", flat=True)), top


def test_no_fit_says_which_procedures_need_what(demo, tmp_path):
    """An MX file with neither detector data nor a model, which no procedure can read: the
    answer says how many procedures serve the technique and which NeXus items they need."""
    import h5py

    path = tmp_path / "mx-without-data.nxs"
    with h5py.File(path, "w") as nexus:
        entry = nexus.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry["definition"] = "NXmx"
        entry.create_group("sample").attrs["NX_class"] = "NXsample"
    answer = services.recommend_for_file(path, k=3)
    assert answer["query"]["technique_status"] == "known"
    assert answer["results"] == []
    reason = answer["query"]["no_fit_reason"]
    assert re.match(r"\d+ procedures serve macromolecular crystallography-based techniques", reason)
    assert "NXentry/NXdata" in reason and "NXinstrument/NXdetector" in reason
    assert "NXentry/NXpdb/NXpdb/NXpdb" in reason
    out = StringIO()
    call_command("recommend", str(path), stdout=out)
    assert f"No procedure fits. {reason}" in out.getvalue()


def test_a_deposited_model_gets_the_model_procedure(demo):
    """The shared PDB-in-NeXus sample (NXpdb groups, no detector data) is served by the model
    summary, with its NXpdb requirement met, and not by the image procedures."""
    answer = services.recommend_for_file(shared_path("nexus-samples/nxpdb/hdf5/4n8z.h5"), k=3)
    assert [item["procedure"] for item in answer["results"]] == ["mx-model-validation"]
    assert answer["results"][0]["compatibility"]["compatible"] is True


def test_gold_metrics_embedded(demo, tmp_path):
    result = evaluate(gold_cases(tmp_path, shared_path("nexus-samples")), "embedded")
    assert result["cases"] >= 13
    assert result["metrics"]["precision@1"] >= 0.8
    assert result["metrics"]["MRR"] >= 0.85


def test_upload_a_real_nexus_file(demo, client):
    """POST /api/v1/recommendations/upload/ with the APS pinhole SAXS file."""
    path = shared_path("nexus-samples") / SAXS_SAMPLE
    upload = SimpleUploadedFile("nexus-example.hdf5", path.read_bytes())
    response = client.post("/api/v1/recommendations/upload/", {"file": upload, "k": 3})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["query"]["label"] == "nexus-example.hdf5"
    assert answer["query"]["technique_status"] == "known"
    assert answer["query"]["compatibility_checked"] is True
    assert answer["results"][0]["procedure"] in SAXS_PROCEDURES
    assert answer["results"][0]["compatibility"]["compatible"] is True
    assert "small angle x-ray scattering" in answer["results"][0]["explanation"]


def test_upload_of_a_file_that_is_not_nexus_is_a_400(demo, client):
    upload = SimpleUploadedFile("notes.nxs", b"not an HDF5 file")
    response = client.post("/api/v1/recommendations/upload/", {"file": upload})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_nexus"


def test_recommend_command_json(demo):
    path = shared_path("nexus-samples") / SAXS_SAMPLE
    out = StringIO()
    call_command("recommend", str(path), "--json", "--k", "2", stdout=out)
    answer = json.loads(out.getvalue())
    assert answer["count"] == len(answer["results"]) == 2
    assert {item["procedure"] for item in answer["results"]} == SAXS_PROCEDURES
    assert answer["engine_version"] == "embedded/1.0.0"


def test_recommend_command_says_unknown_with_the_reason(demo):
    out = StringIO()
    call_command("recommend", str(shared_path("nexus-samples/hdf5/simple3D.h5")), stdout=out)
    assert out.getvalue().startswith("Technique unknown: ")
    assert "No procedure fits." in out.getvalue()


@pytest.mark.elasticsearch
@pytest.mark.django_db(transaction=True)
def test_both_backends_agree_on_top3(demo, tmp_path, settings):
    require(bool(os.environ.get("ELASTICSEARCH_URL")), "ELASTICSEARCH_URL not set")
    from recommender import search_index

    settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
    settings.ELASTICSEARCH_INDEX_PREFIX = "test-recommender-gold"
    try:
        search_index.rebuild()
        cases = gold_cases(tmp_path, shared_path("nexus-samples"))
        elasticsearch = evaluate(cases, "elasticsearch")
        assert elasticsearch["top3"] == evaluate(cases, "embedded")["top3"]
        assert elasticsearch["cases"] >= 13
    finally:
        es = search_index.client()
        for name in es.indices.get(index="test-recommender-gold-*"):
            es.indices.delete(index=name)
