"""import_ontology and build_ontology_snapshot on real and hand-written files."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ontologies import services
from ontologies.models import NexusDefinitionMapping, OntologyVersion, Term, TermClosure
from tests.conftest import shared_path
from tests.ontologies.conftest import DATA, EX

PANET = "http://purl.org/pan-science/PaNET/"


def run(*args) -> str:
    """Run a command and return what it printed."""
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_panet_owl_import_matches_the_published_table():
    owl = shared_path("ontologies/PaNET.owl")
    table = shared_path("ontologies/PaNET-terms.tsv")
    output = run("import_ontology", str(owl))
    rows = list(csv.DictReader(table.open(encoding="utf-8"), delimiter="\t"))
    assert "510 added" in output
    assert Term.objects.count() == len(rows) == 510
    for row in rows[::25]:
        term = Term.objects.get(iri=row["iri"])
        assert term.label == row["label"]
        assert set(term.synonyms) == set(filter(None, row["alt_labels"].split("|")))
        parents = {p.iri.removeprefix(PANET) for p in term.parents.all()}
        assert parents == set(filter(None, row["parents"].split("|")))
    saxs = Term.objects.get(iri=PANET + "PaNET01188")
    assert saxs.synonyms == ["SAXS"]
    version = OntologyVersion.objects.get()
    assert version.term_count == 510 and len(version.checksum) == 64
    assert "510 unchanged" in run("import_ontology", str(owl))


@pytest.mark.django_db
def test_small_turtle_multiple_parents_synonyms_and_unlabelled(small):
    t3 = Term.objects.get(iri=EX + "T3")
    assert {p.label for p in t3.parents.all()} == {"scattering", "imaging"}  # restriction ignored
    assert t3.synonyms == ["SCIM", "Streuungsbild"]
    assert t3.definition == "Imaging by scattering."
    assert Term.objects.get(iri=EX + "T2").label == "imaging"  # skos:prefLabel
    assert Term.objects.get(iri=EX + "T6").label == "T6"  # unlabelled: the IRI's local name
    assert Term.objects.get(iri=EX + "T5").obsolete is True
    t0, t4 = Term.objects.get(iri=EX + "T0"), Term.objects.get(iri=EX + "T4")
    assert services.ancestor_distances(t4.pk)[t0.pk] == 3
    assert services.descendant_distances(t0.pk)[t4.pk] == 3
    assert len(services.ancestor_ids([t4.pk], include_self=False)) == 4


@pytest.mark.django_db
def test_jsonld_import():
    run("import_ontology", str(DATA / "small.jsonld"), "--name", "jl")
    child = Term.objects.get(iri="http://example.org/jl/C")
    assert child.synonyms == ["kid", "offspring"]
    assert child.parents.get().label == "root technique"


@pytest.mark.django_db
def test_reimport_reports_changes_and_never_deletes(small):
    t4 = Term.objects.get(iri=EX + "T4")
    NexusDefinitionMapping.objects.create(definition="NXtest", term=t4, confidence=0.5)
    output = run("import_ontology", str(DATA / "small_changed.ttl"), "--name", "test")
    assert "1 added, 2 updated, 2 obsoleted, 3 unchanged" in output
    assert Term.objects.filter(iri__startswith=EX).count() == 8
    t4.refresh_from_db()
    assert t4.obsolete and t4.nexus_mappings.count() == 1
    assert Term.objects.get(iri=EX + "T1").label == "scattering techniques"
    assert Term.objects.get(iri=EX + "T3").parents.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "message"),
    [("cycle.ttl", "cycle"), ("not_rdf.ttl", "Not valid RDF"), ("no_classes.ttl", "no named")],
)
def test_bad_input_is_one_error_and_leaves_the_database_unchanged(small, name, message):
    before = (Term.objects.count(), TermClosure.objects.count(), OntologyVersion.objects.count())
    with pytest.raises(CommandError, match=message):
        run("import_ontology", str(DATA / name), "--name", "test")
    after = (Term.objects.count(), TermClosure.objects.count(), OntologyVersion.objects.count())
    assert before == after


@pytest.mark.django_db
def test_missing_file_is_a_command_error():
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_ontology", "/no/such/file.owl")


def test_snapshot_is_built_from_panet_and_matches_the_shipped_one(tmp_path):
    owl = shared_path("ontologies/PaNET.owl")
    output = tmp_path / "panet.json"
    run("build_ontology_snapshot", str(owl), "--output", str(output))
    built = json.loads(output.read_text())
    shipped = json.loads(services.SNAPSHOT_PATH.read_text())
    assert built["terms"] == shipped["terms"]
    assert all("definition" not in term for term in built["terms"])


@pytest.mark.django_db
def test_load_snapshot_is_idempotent_and_offline(panet):
    assert panet["added"] == 510 and panet["mappings"] > 50
    assert services.load_snapshot()["unchanged"] == 510
    assert TermClosure.objects.filter(depth=0).count() == 510


@pytest.mark.django_db
def test_resolve_term_unknown_raises_domain_error(panet):
    from config.api.errors import DomainError

    assert services.resolve_term("PaNET01188").label == "small angle x-ray scattering"
    with pytest.raises(DomainError) as error:
        services.resolve_term("http://example.org/none")
    assert error.value.code == "unknown_technique"


def test_the_same_iris_under_another_name_are_refused(small):
    before = (Term.objects.count(), TermClosure.objects.count(), OntologyVersion.objects.count())
    with pytest.raises(CommandError, match="already belong to the ontology 'test'.*--name test"):
        run("import_ontology", str(DATA / "small.ttl"), "--name", "other")
    after = (Term.objects.count(), TermClosure.objects.count(), OntologyVersion.objects.count())
    assert before == after
    assert set(Term.objects.values_list("ontology", flat=True)) == {"test"}


@pytest.mark.django_db
def test_load_snapshot_if_empty_fills_a_fresh_install_and_never_rolls_back(small):
    run("load_ontology_snapshot", "--if-empty")
    assert not Term.objects.filter(ontology="panet").exists()  # terms were there: left out
    Term.objects.all().delete()
    run("load_ontology_snapshot", "--if-empty")
    assert Term.objects.filter(ontology="panet").count() == 510
