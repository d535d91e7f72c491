"""Text filters and searches of many words: answered up to ``MAX_WORDS`` different words,
refused with a 400 in the API's error shape past it, never a 5xx.

Every word is one more condition of the query: before the bound, 1,500 words made SQLite refuse
the query ("Expression tree is too large") and the API answered 503, as if the database were
down.
"""

import pytest

from config.api.text import MAX_WORDS, filter_words

pytestmark = pytest.mark.django_db

TEXT_FILTERS = [
    "/api/v1/procedures/?q=",
    "/api/v1/versions/?q=",
    "/api/v1/datasets/?q=",
    "/api/v1/techniques/?q=",
    "/api/v1/resources/?q=",
    "/api/v1/search/?q=",
]


def words(count: int) -> str:
    return " ".join(f"saxs{i}" for i in range(count))


@pytest.mark.parametrize("url", TEXT_FILTERS)
def test_as_many_words_as_allowed_are_answered(registry, client_as, url):
    answer = client_as().get(url + words(MAX_WORDS))
    assert answer.status_code == 200, answer.content
    assert answer.json()["count"] == 0


@pytest.mark.parametrize("url", TEXT_FILTERS)
def test_more_words_are_a_clear_400(registry, client_as, url):
    answer = client_as().get(url + words(1_500))
    assert answer.status_code == 400, answer.content
    error = answer.json()["error"]
    assert error["code"] == "query_too_large"
    assert error["details"] == {"words": 1_500, "max_words": MAX_WORDS}
    assert f"at most {MAX_WORDS} different words" in error["message"]


def test_repeated_words_count_once():
    assert filter_words("SAXS saxs SAXS fit", lower=True) == ["saxs", "fit"]
    assert len(filter_words(" ".join(["saxs"] * 1_000))) == 1
