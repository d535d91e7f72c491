"""The per-process cache of hierarchy facts: one query while the hierarchy is unchanged, and
fresh facts after any change, whether made in this process or, through the revision token in
the database, in another."""

import pytest

from ontologies.models import HierarchyRevision, Term, new_revision_token
from recommender import engine
from recommender.hierarchy_cache import HierarchyCache, hierarchy
from recommender.query import RecommendationQuery
from tests.registry.factories import SANS, SAS, SAXS, TermFactory

pytestmark = pytest.mark.django_db

SAXS_QUERY = RecommendationQuery.from_techniques([SAXS])


def facts_of(query=SAXS_QUERY):
    return engine.query_facts(query)


def test_an_unchanged_hierarchy_costs_one_query(terms, django_assert_num_queries):
    first, _, _ = facts_of()
    with django_assert_num_queries(1):  # the revision token
        again, _, _ = facts_of()
    assert again == first
    assert again.ancestors == {terms["saxs"].pk: {terms["sas"].pk: 1}}


def test_a_label_edit_is_seen_at_once(terms):
    facts_of()
    sas = terms["sas"]
    sas.label = "small-angle scattering"
    sas.save()
    _, labels, _ = facts_of()
    assert labels[SAS] == "small-angle scattering"


def test_a_parent_edit_is_seen_once_the_closure_is_rebuilt(
    terms, django_capture_on_commit_callbacks
):
    facts_of()
    with django_capture_on_commit_callbacks(execute=True):
        terms["saxs"].parents.add(terms["sans"])  # SAXS now also below SANS (a test's whim)
    facts, _, _ = facts_of()
    assert facts.ancestors[terms["saxs"].pk] == {terms["sas"].pk: 1, terms["sans"].pk: 1}


def test_a_change_made_by_another_process_is_seen_through_the_token(terms):
    """Another process writes the label and its own token; this process's cache, which saw
    neither write happen, reads the token and starts afresh."""
    facts_of()
    Term.objects.filter(pk=terms["sas"].pk).update(label="renamed elsewhere")  # no signal here
    _, labels, _ = facts_of()
    assert labels[SAS] == "small angle scattering"  # same token: the cached label, by design
    HierarchyRevision.objects.update(token=new_revision_token())
    _, labels, _ = facts_of()
    assert labels[SAS] == "renamed elsewhere"


def test_an_unknown_key_is_found_once_the_term_exists(terms):
    iri = "http://purl.org/pan-science/PaNET/PaNET55555"
    query = RecommendationQuery.from_techniques([iri, "PaNET55555"])
    facts, _, unknown = facts_of(query)
    assert unknown == [iri, "PaNET55555"]
    new = TermFactory(iri=iri, label="new technique")
    facts, _, unknown = facts_of(query)
    assert unknown == []
    assert facts.techniques == {new.pk: 1.0}


def test_short_ids_resolve_as_before(terms):
    facts, labels, unknown = facts_of(RecommendationQuery.from_techniques([SANS.rsplit("/")[-1]]))
    assert (facts.techniques, unknown) == ({terms["sans"].pk: 1.0}, [])
    assert labels[SAS] == "small angle scattering"


def test_a_full_cache_starts_afresh(terms):
    cache = HierarchyCache(limit=1)
    cache.current()
    cache.resolve([SAS, SAXS])
    assert len(cache.terms) == 2
    cache.current()
    assert cache.terms == {}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts from an empty process cache, as a new process would."""
    hierarchy.start_afresh()
    yield


def test_facts_read_while_another_thread_started_afresh_are_not_kept(terms, monkeypatch):
    """Another thread saw a new token while this one was reading: what this one read may
    predate that change, so it is answered but not kept under the new token."""
    from recommender import hierarchy_cache

    cache = HierarchyCache()
    cache.current()
    cache.resolve([SAS])
    read = hierarchy_cache.closure_links

    def read_then_another_thread_starts_afresh(term_ids):
        rows = list(read(term_ids))
        cache.start_afresh("another thread's newer token")
        return rows

    monkeypatch.setattr(hierarchy_cache, "closure_links", read_then_another_thread_starts_afresh)
    links = cache.links_of([terms["saxs"].pk])
    assert [link.other.iri for link in links[terms["saxs"].pk]] == [SAS]
    assert cache.links == {}


def revision_reads(queries) -> int:
    return sum("ontologies_hierarchyrevision" in query["sql"] for query in queries)


def test_one_answer_reads_the_revision_token_once(terms):
    """The answer's own technique list and the backend's pass share one reading; so does the
    second pass that explains why nothing fits."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from recommender import services

    facts_of()  # the facts are cached; only token reads remain
    with CaptureQueriesContext(connection) as captured:
        answer = services.recommend(SAXS_QUERY, k=3, backend="embedded")
    assert answer["query"]["techniques"][0]["iri"] == SAXS
    assert revision_reads(captured.captured_queries) == 1
    with CaptureQueriesContext(connection) as captured:
        facts_of()
        facts_of()
    assert revision_reads(captured.captured_queries) == 2  # outside an answer: each call


def test_within_one_revision_a_newer_token_waits_for_the_next_answer(terms):
    """Another process renames a term while an answer is being computed: the answer keeps the
    revision it started with, and the next one sees the change."""
    facts_of()
    with hierarchy.one_revision():
        Term.objects.filter(pk=terms["sas"].pk).update(label="renamed elsewhere")
        HierarchyRevision.objects.update(token=new_revision_token())
        with hierarchy.one_revision():  # nested: the outer reading holds
            _, labels, _ = facts_of()
        assert labels[SAS] == "small angle scattering"
    _, labels, _ = facts_of()
    assert labels[SAS] == "renamed elsewhere"
