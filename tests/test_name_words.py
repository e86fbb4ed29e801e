"""Names as search and the duplicate check compare them: folded, the same way on both sides."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetui.domain.limits import NAME_MAX
from casetui.domain.name_words import SEARCH_NAME_MAX, fold, search_name, words


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Zoë Ñúñez", "zoe nunez"),
        ("ZOË ÑÚÑEZ", "zoe nunez"),
        ("Zoe\u0308", "zoe"),  # the accent typed as a separate mark
        ("Łukasz Ø Đorđe", "lukasz o dorde"),
        ("Straße ẞ", "strasse ss"),
        ("Æsa Œuvre", "aesa oeuvre"),
        ("Yılmaz İnce", "yilmaz ince"),
        ("Þóra Guðrún", "thora gudrun"),
        ("ＺＯＥ", "zoe"),  # full-width letters
        ("O'Brien-Smith", "o'brien-smith"),
        ("김민준", "김민준"),  # other scripts keep their letters
        ("Алёна", "алена"),
    ],
)
def test_fold(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_words_are_folded_once_each_in_order() -> None:
    assert words("Zoë ÑÚÑEZ zoe O'Brien") == ["zoe", "nunez", "o", "brien"]
    assert words(None) == words("") == []
    assert words("x" * (NAME_MAX + 5)) == ["x" * NAME_MAX]


def test_search_name_holds_both_names_words() -> None:
    assert search_name("Zoë Ñúñez", "Zo") == "zoe nunez zo"
    assert search_name("Zoë Ñúñez", None) == "zoe nunez"
    many = " ".join(f"ß{n}" for n in range(300))
    assert search_name(many, None) == search_name(many, "")[:SEARCH_NAME_MAX]
    assert len(search_name(many, None)) == SEARCH_NAME_MAX


@given(st.text())
def test_folding_twice_changes_nothing(text: str) -> None:
    """What is stored folded is found by the same words folded again."""
    assert fold(fold(text)) == fold(text)
    assert words(" ".join(words(text))) == words(text)
