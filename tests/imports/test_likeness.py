"""Word likeness answers as its definition does, with the cheap letter count asked first."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from casetui.repositories import similar_names
from casetui.repositories.similar_names import (
    TRIGRAM_ALIKE,
    allowed_edits,
    edit_distance,
    letters_apart,
    trigram_similarity,
)

word = st.text(alphabet="abcdeilnorsłøé", min_size=1, max_size=10)


def defined(typed: str, other: str) -> float:
    if typed == other:
        return 1.0
    similarity = trigram_similarity(typed, other)
    if similarity >= TRIGRAM_ALIKE:
        return similarity
    if edit_distance(typed, other) <= allowed_edits(typed):
        return max(similarity, TRIGRAM_ALIKE)
    return 0.0


@given(typed=word, other=word)
def test_likeness_is_its_definition(typed: str, other: str) -> None:
    assert similar_names.likeness(typed, other) == defined(typed, other)


@given(typed=word, other=word)
def test_letters_apart_bounds_the_edit_distance(typed: str, other: str) -> None:
    distance = edit_distance(typed, other)
    if distance <= 2:  # what edit_distance counts exactly; beyond, it answers "3"
        assert letters_apart(typed, other) <= 2 * distance
