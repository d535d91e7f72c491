"""The words of free-text filters and searches, bounded.

Every word must match, so each is one more condition of the query; past a few hundred the
database refuses the query itself (SQLite: "Expression tree is too large"), which once answered
503 as if the database were down. More words only narrow a search, so past ``MAX_WORDS``
different words a filter or search is refused with a clear 400 instead; so is a text past
``MAX_TEXT_LENGTH`` characters (each word becomes a ``LIKE`` pattern, which SQLite refuses
past 50,000 bytes).
"""

from __future__ import annotations

from config.api.errors import DomainError

MAX_WORDS = 100  # different words; a search box of 200 characters holds at most 100
MAX_TEXT_LENGTH = 1000  # characters of one filter value or search text


def filter_words(value: str, *, lower: bool = False) -> list[str]:
    """The different whitespace-separated words of ``value``, in order (lowercased if asked);
    refused past ``MAX_WORDS`` or ``MAX_TEXT_LENGTH``."""
    check_text_length(value)
    words = list(dict.fromkeys((value.lower() if lower else value).split()))
    check_word_count(len(words))
    return words


def check_word_count(count: int) -> None:
    """Refuse (400 ``query_too_large``) a text of more than ``MAX_WORDS`` different words."""
    if count > MAX_WORDS:
        raise DomainError(
            f"A search takes at most {MAX_WORDS} different words (this one has {count}); "
            "every word must match, so fewer, more telling words find more.",
            details={"words": count, "max_words": MAX_WORDS},
            code="query_too_large",
        )


def check_text_length(text: str) -> None:
    """Refuse (400 ``query_too_large``) a text of more than ``MAX_TEXT_LENGTH`` characters."""
    if len(text) > MAX_TEXT_LENGTH:
        raise DomainError(
            f"A search text takes at most {MAX_TEXT_LENGTH} characters (this one has "
            f"{len(text)}).",
            details={"characters": len(text), "max_characters": MAX_TEXT_LENGTH},
            code="query_too_large",
        )
