"""The Elasticsearch backend against a real cluster (scripts/elasticsearch start)."""

import json
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recommender import search_index
from recommender.backends import get_backend
from recommender.documents import INDEX_VERSION
from recommender.query import RecommendationQuery
from tests.conftest import require
from tests.registry.factories import SANS, SAS, SAXS

pytestmark = [pytest.mark.elasticsearch, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cluster(settings):
    """A real cluster with a test-only index prefix; its indices are deleted afterwards."""
    require(bool(os.environ.get("ELASTICSEARCH_URL")), "ELASTICSEARCH_URL not set")
    settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
    settings.ELASTICSEARCH_INDEX_PREFIX = "test-recommender"
    yield search_index.client()
    es = search_index.client()
    for name in es.indices.get(index="test-recommender-*"):
        es.indices.delete(index=name)


def slugs(results):
    return [r.procedure_version.procedure.slug for r in results]


def test_same_ranking_as_embedded(cluster, catalogue):
    result = search_index.rebuild()
    assert result["documents"] == 3
    assert search_index.check() == {"missing": [], "extra": [], "stale": []}
    for iri in (SAXS, SAS, SANS):
        query = RecommendationQuery.from_techniques([iri])
        assert slugs(get_backend("elasticsearch").recommend(query, 3)) == slugs(
            get_backend("embedded").recommend(query, 3)
        )


def test_rebuild_swaps_alias(cluster, catalogue):
    first = search_index.rebuild()["index"]
    second = search_index.rebuild()["index"]
    assert search_index.status()["indices"] == [second] != [first]


def test_deprecating_syncs_after_commit(cluster, catalogue, settings):
    """The after-commit task removes the document itself (the ranking alone would not show it:
    candidates are re-read from the database)."""
    settings.SEARCH_BACKEND = "elasticsearch"
    search_index.rebuild()
    version = catalogue["sas"].versions.get()
    assert cluster.exists(index=search_index.alias_name(), id=str(version.pk))
    catalogue["sas"].status = "deprecated"
    catalogue["sas"].save()
    assert not cluster.exists(index=search_index.alias_name(), id=str(version.pk))
    assert search_index.check() == {"missing": [], "extra": [], "stale": []}
    query = RecommendationQuery.from_techniques([SAXS])
    assert "sas-fit" not in slugs(get_backend("elasticsearch").recommend(query, 5))


def test_saving_syncs_the_changed_document(cluster, catalogue, settings):
    """A changed summary reaches the index after commit, so check() finds nothing stale."""
    settings.SEARCH_BACKEND = "elasticsearch"
    search_index.rebuild()
    catalogue["sas"].summary = "Model fitting of scattering curves"
    catalogue["sas"].save()
    version = catalogue["sas"].versions.get()
    stored = cluster.get(index=search_index.alias_name(), id=str(version.pk))["_source"]
    assert stored["summary"] == "Model fitting of scattering curves"
    assert search_index.check() == {"missing": [], "extra": [], "stale": []}


@pytest.mark.parametrize("change", ["technique", "facility", "text", "popularity"])
def test_check_reports_any_changed_field(cluster, catalogue, change):
    """With no sync (embedded mode: signals do nothing), a change in the database shows as a
    stale document, whichever field it touches."""
    search_index.rebuild()
    procedure = catalogue["saxs"]
    version = procedure.versions.get()
    if change == "technique":
        procedure.techniques.add(catalogue["terms"]["sans"])
    elif change == "facility":
        procedure.facilities.clear()
    elif change == "text":
        procedure.description = "A new description"
        procedure.save()
    else:
        procedure.successful_runs += 1
        procedure.save()
    assert search_index.check() == {"missing": [], "extra": [], "stale": [str(version.pk)]}


SCATTERING = "http://purl.org/pan-science/PaNET/PaNET98765"


def reimport_with_saxs_under_a_new_parent(catalogue) -> None:
    """apply_ontology of the catalogue's terms, SAXS now also below a new 'scattering' term."""
    from ontologies.services import TermRecord, apply_ontology

    terms = catalogue["terms"]
    name = terms["sas"].ontology
    records = [
        TermRecord(SCATTERING, "x-ray scattering"),
        TermRecord(SAS, terms["sas"].label, tuple(terms["sas"].synonyms)),
        TermRecord(SAXS, terms["saxs"].label, tuple(terms["saxs"].synonyms), (SAS, SCATTERING)),
        TermRecord(SANS, terms["sans"].label, tuple(terms["sans"].synonyms), (SAS,)),
    ]
    apply_ontology(records, name=name)


def test_an_ontology_reimport_resyncs_the_documents_below_the_changed_terms(
    cluster, catalogue, settings
):
    """A re-import that gives SAXS a second parent reaches the index after commit: the SAXS
    procedure's document lists the new ancestor, and check() finds nothing stale."""
    settings.SEARCH_BACKEND = "elasticsearch"
    search_index.rebuild()
    reimport_with_saxs_under_a_new_parent(catalogue)
    version = catalogue["saxs"].versions.get()
    stored = cluster.get(index=search_index.alias_name(), id=str(version.pk))["_source"]
    assert SCATTERING in stored["technique_ancestors"]
    assert search_index.check() == {"missing": [], "extra": [], "stale": []}
    call_command("search_index", "check", stdout=StringIO())  # clean: exits without an error


def test_without_the_resync_a_reimport_leaves_stale_documents(cluster, catalogue):
    """The same re-import with no sync (embedded mode) shows the SAXS document as stale: the
    check above is not clean by accident."""
    search_index.rebuild()
    reimport_with_saxs_under_a_new_parent(catalogue)
    version = catalogue["saxs"].versions.get()
    assert search_index.check() == {"missing": [], "extra": [], "stale": [str(version.pk)]}


def test_a_hierarchy_edit_in_the_admin_or_shell_resyncs_the_documents_below(
    cluster, catalogue, settings
):
    """SAXS given a new parent one edge at a time (as the admin saves it), then its old parent
    SAS deleted: after each commit the closure is rebuilt and the documents at or below the
    edited terms are resynced, so check() finds nothing stale."""
    from ontologies.models import Term

    settings.SEARCH_BACKEND = "elasticsearch"
    search_index.rebuild()
    scattering = Term.objects.create(iri=SCATTERING, label="x-ray scattering")
    catalogue["terms"]["saxs"].parents.add(scattering)
    version = catalogue["saxs"].versions.get()
    stored = cluster.get(index=search_index.alias_name(), id=str(version.pk))["_source"]
    assert SCATTERING in stored["technique_ancestors"]
    assert search_index.check() == {"missing": [], "extra": [], "stale": []}
    catalogue["terms"]["sas"].delete()
    stored = cluster.get(index=search_index.alias_name(), id=str(version.pk))["_source"]
    assert SAS not in stored["technique_ancestors"]
    assert search_index.check() == {"missing": [], "extra": [], "stale": []}


def test_check_reports_missing_and_extra(cluster, catalogue):
    search_index.rebuild()
    version = catalogue["sans"].versions.get()
    cluster.delete(index=search_index.alias_name(), id=str(version.pk), refresh=True)
    cluster.index(index=search_index.alias_name(), id="999999", document={"procedure_id": 1},
                  refresh=True)  # fmt: skip
    assert search_index.check() == {"missing": [str(version.pk)], "extra": ["999999"], "stale": []}


def test_removing_a_missing_document_is_fine(cluster, catalogue):
    search_index.rebuild()
    version = catalogue["saxs"].versions.get()
    backend = get_backend("elasticsearch")
    backend.remove(version)
    backend.remove(version)  # a 404 now: ignored
    assert not cluster.exists(index=search_index.alias_name(), id=str(version.pk))


def test_sync_task_retries_until_the_cluster_is_back(cluster, catalogue, settings, monkeypatch):
    """The first attempt meets an unreachable cluster (a closed port): the task is retried
    (ServiceUnavailableError) and the next attempt, on the real cluster, indexes the document."""
    from recommender import backends, tasks

    search_index.rebuild()
    version = catalogue["saxs"].versions.get()
    cluster.delete(index=search_index.alias_name(), id=str(version.pk), refresh=True)
    real_url, real_get_backend, attempts = settings.ELASTICSEARCH_URL, backends.get_backend, []

    def get_backend_spy(name=None):
        attempts.append(name)
        settings.ELASTICSEARCH_URL = "http://127.0.0.1:1" if len(attempts) == 1 else real_url
        return real_get_backend("elasticsearch")

    monkeypatch.setattr(backends, "get_backend", get_backend_spy)
    result = tasks.sync_version.apply(args=[version.pk])
    assert result.get() == "synced"
    assert len(attempts) == 2
    assert cluster.exists(index=search_index.alias_name(), id=str(version.pk))


def test_sync_task_gives_up_after_its_retries(catalogue, settings, monkeypatch):
    """A cluster that never comes back (a closed port): max_retries + 1 attempts, then the
    error."""
    from config.api.errors import ServiceUnavailableError
    from recommender import backends, tasks

    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    version = catalogue["saxs"].versions.get()
    real_get_backend, attempts = backends.get_backend, []
    monkeypatch.setattr(
        backends,
        "get_backend",
        lambda name=None: attempts.append(name) or real_get_backend("elasticsearch"),
    )
    result = tasks.sync_version.apply(args=[version.pk])
    assert isinstance(result.result, ServiceUnavailableError)
    assert len(attempts) == tasks.sync_version.max_retries + 1


def test_search_facets(cluster, catalogue):
    search_index.rebuild()
    answer = get_backend("elasticsearch").search("scattering", {"facility": "ill"})
    assert {row["procedure"] for row in answer["results"]} == {"sas-fit", "sans-reduction"}
    assert {f["value"]: f["count"] for f in answer["facets"]["facility"]}["ill"] == 2


def test_search_index_command_rebuild_status_check(cluster, catalogue):
    """rebuild reports the documents, status the alias, check a real difference (non-zero)."""
    out = StringIO()
    call_command("search_index", "rebuild", stdout=out, stderr=StringIO())
    prefix = f"3 documents into test-recommender-procedure-versions-{INDEX_VERSION}-"
    assert out.getvalue().startswith(prefix)
    out = StringIO()
    call_command("search_index", "status", stdout=out)
    status = json.loads(out.getvalue())
    assert status["documents"] == 3 and status["alias"] == "test-recommender-procedure-versions"
    assert status["format"] == INDEX_VERSION and status["format_current"] is True
    call_command("search_index", "check", stdout=StringIO())  # in step: no error
    catalogue["sans"].summary = "changed without a sync"
    catalogue["sans"].save()
    out = StringIO()
    with pytest.raises(CommandError, match="differs from the database"):
        call_command("search_index", "check", stdout=out)
    assert json.loads(out.getvalue())["stale"] == [str(catalogue["sans"].versions.get().pk)]


@pytest.mark.parametrize("action", ["rebuild", "status", "check"])
def test_search_index_command_unreachable_is_one_line(catalogue, settings, action, capfd):
    """A closed port: one CommandError line, and no transport warnings before it."""
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    with pytest.raises(CommandError) as error:
        call_command("search_index", action, stdout=StringIO(), stderr=StringIO())
    assert "\n" not in str(error.value)
    assert "127.0.0.1:1" in str(error.value)
    assert "WARNING" not in capfd.readouterr().err


def test_evaluate_command_refuses_an_unreachable_backend(catalogue, settings):
    """--backend elasticsearch with the cluster down fails; it never measures the embedded one."""
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"
    with pytest.raises(CommandError, match="not reachable"):
        call_command("evaluate_recommender", "--backend", "elasticsearch", stdout=StringIO(),
                     stderr=StringIO())  # fmt: skip


def test_evaluate_command_names_the_backend_it_measured(cluster, catalogue):
    search_index.rebuild()
    out = StringIO()
    call_command(
        "evaluate_recommender", "--backend", "elasticsearch", stdout=out, stderr=StringIO()
    )
    assert out.getvalue().rstrip().endswith("backend      elasticsearch")
    assert "precision@1" in out.getvalue()


def test_both_backends_say_the_same_about_where_the_data_lives(cluster, catalogue):
    """A dataset at ESRF: both backends list the ILL-only procedure, not offered at ESRF."""
    from datasets.models import Dataset

    dataset = Dataset.objects.create(pid="d-esrf", title="silica", facility_slug="esrf")
    dataset.techniques.set([catalogue["terms"]["sas"]])
    search_index.rebuild()
    query = RecommendationQuery.from_dataset(dataset)
    answers = {
        name: [
            (
                r.procedure_version.procedure.slug,
                r.compatibility["offered_at_data_facility"],
                r.explanation,
            )
            for r in get_backend(name).recommend(query, 5)
        ]
        for name in ("embedded", "elasticsearch")
    }
    assert answers["elasticsearch"] == answers["embedded"]
    offered = {slug: flag for slug, flag, _ in answers["embedded"]}
    assert offered == {"sas-fit": True, "saxs-integration": True, "sans-reduction": False}


def tied_catalogue(terms, count=12):
    """``count`` SAXS procedures that tie on score (some on popularity too), a third needing a
    detector, and broader and narrower ones below them: the window boundary falls in ties."""
    from tests.recommender.conftest import make_procedure

    for n in range(count):
        make_procedure(
            f"tied-{n:02d}",
            [terms["saxs"]],
            runs=n % 3,
            required=["NXentry/NXinstrument/NXdetector"] if n % 3 == 0 else [],
        )
    make_procedure("broad-sas", [terms["sas"]], runs=50)
    make_procedure("both-sas-saxs", [terms["sas"], terms["saxs"]], runs=1)


@pytest.mark.parametrize("window", [2, 5, 50])
def test_reading_past_the_window_keeps_the_embedded_ranking(
    cluster, catalogue, monkeypatch, window
):
    """However small the first window, the ranking (scores, reasons, explanations, which
    incompatible versions are left out) is the embedded backend's."""
    from datasets.nexus.summary import DatasetSummary
    from recommender.backends import elasticsearch

    tied_catalogue(catalogue["terms"])
    search_index.rebuild()
    monkeypatch.setattr(elasticsearch, "WINDOW", window)
    summary = DatasetSummary.from_dict(
        {"path": "x.nxs", "file_size": 1, "groups": {"/entry": "NXentry"}}
    )
    searches = []
    es = search_index.client()
    raw = es.search
    monkeypatch.setattr(es, "search", lambda *a, **kw: searches.append(kw) or raw(*a, **kw))
    for k in (1, 3, 8, 20):
        for iri in (SAXS, SAS, SANS):
            query = RecommendationQuery(techniques={iri: 1.0}, summary=summary)
            answers = [
                [(r.procedure_version.pk, r.score, r.reasons, r.explanation) for r in
                 get_backend(name).recommend(query, k)]
                for name in ("elasticsearch", "embedded")
            ]  # fmt: skip
            assert answers[0] == answers[1], (k, iri)
            assert len(answers[0]) == min(k, len(answers[1]))
    sizes = {kw["body"]["size"] for kw in searches}
    if window < 10:
        assert elasticsearch.CANDIDATE_LIMIT in sizes, "some answers read past the first window"
    else:  # 50 and 4 * k = 80 hold all 17 candidates: one search each
        assert sizes == {50, 80}
        assert len(searches) == 4 * 3


def test_cluster_scores_are_the_shared_scores(cluster, catalogue):
    """The ranking query computes score_candidate's score (to the float precision of the
    cluster, far below SCORE_SLACK) for every kind of match, text included."""
    from recommender import engine
    from recommender.backends.elasticsearch import SCORE_SLACK, candidate_of, ranking_body
    from recommender.scoring import score_candidate

    tied_catalogue(catalogue["terms"], count=3)
    search_index.rebuild()
    queries = [
        RecommendationQuery(techniques={SAXS: 1.0, SANS: 0.4}, text="azimuthal integration"),
        RecommendationQuery(techniques={SAS: 0.7}),
        RecommendationQuery(text="azimuthal sans summary"),
    ]
    for query in queries:
        facts, _, _ = engine.query_facts(query)
        body = {**ranking_body(facts, None), "size": 100}
        hits = cluster.search(index=search_index.alias_name(), body=body)["hits"]["hits"]
        assert hits
        ids = {iri: pk for pk, iri in facts.iris.items()}
        for hit in hits:
            exact = score_candidate(facts, candidate_of(ids, hit))
            assert abs(hit["sort"][0] - exact.score) < SCORE_SLACK / 10, hit["fields"]


@pytest.mark.parametrize("synced", [False, True])
def test_an_index_of_an_older_format_is_a_clear_degraded_answer(
    cluster, catalogue, settings, synced
):
    """An index written before the scoring facts (no ``published_us``; or with documents of
    this format synced into it since, their new fields mapped by guess) cannot rank: the answer
    comes from the embedded backend, saying why and what to run."""
    from recommender import services

    settings.SEARCH_BACKEND = "elasticsearch"
    name = "test-recommender-procedure-versions-v1-old"
    cluster.indices.create(index=name, mappings={"properties": {"techniques": {"type": "keyword"}}})
    cluster.index(index=name, id="1", document={"techniques": [SAXS]}, refresh=True)
    cluster.indices.put_alias(index=name, name=search_index.alias_name())
    if synced:
        get_backend("elasticsearch").index(catalogue["saxs"].versions.get())
    assert search_index.status()["format_current"] is False
    answer = services.recommend(RecommendationQuery.from_techniques([SAXS]), k=3)
    assert answer["degraded"] is True
    assert "search_index rebuild" in answer["degraded_reason"]
    assert [r["procedure"] for r in answer["results"]][:1] == ["saxs-integration"]


def test_a_successful_run_resyncs_the_popularity(cluster, catalogue, settings):
    """The count is raised by an update (no signal); the documents follow it after commit."""
    from django.db import transaction
    from django.db.models import F

    from recommender import signals
    from registry.models import Procedure

    settings.SEARCH_BACKEND = "elasticsearch"
    search_index.rebuild()
    procedure = catalogue["sans"]
    with transaction.atomic():
        Procedure.objects.filter(pk=procedure.pk).update(successful_runs=F("successful_runs") + 7)
        signals.sync_procedure(procedure.pk)
    assert search_index.check() == {"missing": [], "extra": [], "stale": []}
    document = cluster.get(index=search_index.alias_name(), id=str(procedure.versions.get().pk))
    assert document["_source"]["successful_runs"] == 7


def test_a_registry_import_leaves_the_index_in_step(cluster, catalogue, settings, tmp_path):
    """import_registry sets popularity and publication times with ``update()`` (no signal)
    after creating the procedures; the documents, written after the commit, hold them."""
    from registry.models import Procedure, ProcedureVersion

    call_command("export_registry", str(tmp_path / "export"), stdout=StringIO(), stderr=StringIO())
    ProcedureVersion.objects.all().delete()
    Procedure.objects.all().delete()
    settings.SEARCH_BACKEND = "elasticsearch"
    search_index.rebuild()
    call_command("import_registry", str(tmp_path / "export"), stdout=StringIO(), stderr=StringIO())
    assert Procedure.objects.get(slug="sas-fit").successful_runs == 10
    assert search_index.check() == {"missing": [], "extra": [], "stale": []}


def test_a_very_long_query_text_ranks_as_the_embedded_backend(cluster, catalogue):
    """A PaNOSC title of thousands of words: the words compared are capped (MAX_QUERY_WORDS)
    for both backends, so the cluster's clause limit is never reached and the rankings agree."""
    search_index.rebuild()
    words = " ".join(f"word{n}" for n in range(20_000)) + " azimuthal integration"
    for techniques in ({}, {SAXS: 1.0}):
        query = RecommendationQuery(techniques=techniques, text=words)
        answers = [
            [(r.procedure_version.pk, r.score, r.reasons) for r in get_backend(name).recommend(query, 5)]
            for name in ("elasticsearch", "embedded")
        ]  # fmt: skip
        assert answers[0] == answers[1]
        assert answers[0], "azimuthal and integration sort first and are compared"


def test_a_query_beyond_the_clause_limit_is_a_clear_400(cluster, catalogue):
    """Facts relating to more terms than the cluster allows clauses for: a DomainError (400
    through the API), not a server error."""
    from config.api.errors import DomainError
    from recommender.scoring import QueryFacts

    search_index.rebuild()
    many = range(1, 1201)
    facts = QueryFacts(
        techniques={n: 1.0 for n in many},
        ancestors={n: {10_000 + n * 10 + d: d for d in range(1, 9)} for n in many},
        descendants={},
        iris={pk: f"http://example.org/t{pk}" for n in many for pk in (n, *range(10_000 + n * 10 + 1, 10_000 + n * 10 + 9))},
    )  # fmt: skip
    with pytest.raises(DomainError, match="too many techniques"):
        list(get_backend("elasticsearch").ranked(RecommendationQuery(), facts, None))


def test_a_document_the_database_no_longer_recommends_is_skipped(cluster, catalogue):
    """The index still holds a version deprecated since (its sync has not run): it is not
    recommended, and the next candidate takes its place, as in the embedded answer."""
    from registry.models import Procedure

    search_index.rebuild()
    Procedure.objects.filter(pk=catalogue["sas"].pk).update(status="deprecated")  # no sync
    assert search_index.check()["stale"] or search_index.check()["extra"]
    query = RecommendationQuery.from_techniques([SAS])
    ranked = slugs(get_backend("elasticsearch").recommend(query, 2))
    assert ranked == slugs(get_backend("embedded").recommend(query, 2))
    assert ranked == ["saxs-integration", "sans-reduction"]  # sas-fit, exact, was first


SEARCHES = [
    ("", {}),
    ("scattering", {}),
    ("scattering", {"facility": "esrf"}),
    ("", {"technique": SAS}),
    ("", {"kind": "notebook"}),
    ("azimuthal integration", {}),
]


@pytest.mark.parametrize(("text", "facets"), SEARCHES)
def test_search_answers_as_the_embedded_backend(cluster, catalogue, text, facets):
    """Same results in the same order, same facet counts: the cluster only matches."""
    search_index.rebuild()
    cluster_answer = get_backend("elasticsearch").search(text, facets)
    embedded_answer = get_backend("embedded").search(text, facets)
    assert list(cluster_answer["results"]) == list(embedded_answer["results"])
    assert cluster_answer["facets"] == embedded_answer["facets"]
    assert len(cluster_answer["results"]) > 0


def test_search_reads_every_matching_procedure_in_pages(cluster, catalogue, monkeypatch):
    """Matches come as pages of procedure ids, not a window of hits: none is left out however
    many match (here a page of one id)."""
    from recommender.backends import elasticsearch

    search_index.rebuild()
    monkeypatch.setattr(elasticsearch, "ID_PAGE", 1)
    answer = get_backend("elasticsearch").search("", {})
    assert [row["procedure"] for row in answer["results"]] == [
        "sas-fit", "saxs-integration", "sans-reduction"]  # fmt: skip


def test_search_of_many_words_and_of_too_many(cluster, catalogue):
    from config.api.errors import DomainError
    from config.api.text import MAX_WORDS
    from tests.recommender.conftest import make_procedure

    words = " ".join(f"word{i}" for i in range(MAX_WORDS))
    wordy = make_procedure("wordy", [catalogue["terms"]["sas"]])
    wordy.description = words  # the summary holds 300 characters
    wordy.save()
    search_index.rebuild()
    answer = get_backend("elasticsearch").search(words, {})
    assert [row["procedure"] for row in answer["results"]] == ["wordy"]
    with pytest.raises(DomainError) as refused:
        get_backend("elasticsearch").search(words + " one-more", {})
    assert refused.value.code == "query_too_large"
