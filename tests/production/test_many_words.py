"""Text filters and searches of many words or long values: answered up to ``MAX_WORDS``
different words and ``MAX_TEXT_LENGTH`` characters, refused with a 400 in the API's error
shape past them, never a 5xx.

Every word is one more condition of the query: before the bounds, 1,500 words made SQLite
refuse the query ("Expression tree is too large"), and a value of 100,000 characters made a
LIKE pattern it refuses; the API answered 503, as if the database were down.
"""

import pytest

from config.api.text import MAX_TEXT_LENGTH, MAX_WORDS, filter_words

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
    return " ".join(f"w{i}" for i in range(count))


@pytest.mark.parametrize("url", TEXT_FILTERS)
def test_as_many_words_as_allowed_are_answered(registry, client_as, url):
    answer = client_as().get(url + words(MAX_WORDS))
    assert answer.status_code == 200, answer.content
    assert answer.json()["count"] == 0


@pytest.mark.parametrize("url", TEXT_FILTERS)
def test_more_words_are_a_clear_400(registry, client_as, url):
    answer = client_as().get(url + words(MAX_WORDS + 1))
    assert answer.status_code == 400, answer.content
    error = answer.json()["error"]
    assert error["code"] == "query_too_large"
    assert error["details"] == {"words": MAX_WORDS + 1, "max_words": MAX_WORDS}
    assert f"at most {MAX_WORDS} different words" in error["message"]


def test_repeated_words_count_once():
    assert filter_words("SAXS saxs SAXS fit", lower=True) == ["saxs", "fit"]
    assert len(filter_words(" ".join(["saxs"] * 150))) == 1  # 150 words, one different


LONG_VALUES = [
    "/api/v1/procedures/?keyword=",
    "/api/v1/procedures/?license=",
    "/api/v1/procedures/?q=",
    "/api/v1/instruments/?q=",
    "/api/v1/nexus-definitions/?q=",
    "/api/v1/datasets/?instrument=",
    "/api/v1/publications/?q=",
    "/api/v1/runs/?procedure=",
    "/api/v1/search/?q=",
]


@pytest.mark.parametrize("url", LONG_VALUES)
def test_a_text_value_past_its_length_is_a_clear_400(registry, client_as, url):
    """Before, a value of 100,000 characters became a LIKE pattern SQLite refuses (503)."""
    answer = client_as(registry["staff"]).get(url + "x" * 100_000)
    assert answer.status_code == 400, answer.content[:300]
    assert answer.json()["error"]["code"] in {"invalid", "query_too_large"}
    assert str(MAX_TEXT_LENGTH) in answer.content.decode()


@pytest.mark.parametrize("url", LONG_VALUES)
def test_a_text_value_of_the_longest_length_is_answered(registry, client_as, url):
    answer = client_as(registry["staff"]).get(url + "x" * MAX_TEXT_LENGTH)
    assert answer.status_code == 200, answer.content[:300]
