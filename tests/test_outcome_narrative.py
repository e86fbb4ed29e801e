"""The insights paragraph is written from the figures by a template: the same figures always
give the same words, and each sentence says what the figures say."""

from __future__ import annotations

from casetui.domain.outcomes import OutcomeRow, compare_workers, narrative

STAGES = ("Engagement", "Housing", "Skills and work")
H, M, L = ("high", "strong"), ("medium", "some"), ("low", "some")
L_UNSURE = ("low", "limited")


def _paragraph(rows: list[OutcomeRow], names: dict[int, str]) -> str:
    overall, by_worker = compare_workers(STAGES, rows, names)
    return narrative(STAGES, rows, overall, by_worker)


def test_the_paragraph_names_the_strongest_and_weakest_stage_and_who_is_ahead() -> None:
    jo, sam = 1, 2
    rows = [
        OutcomeRow(1, "C-1", "A", jo, (H, L, H)),
        OutcomeRow(2, "C-2", "B", jo, (H, L_UNSURE, H)),
        OutcomeRow(3, "C-3", "C", jo, (H, M, H)),
        OutcomeRow(4, "C-4", "D", sam, (H, L, L)),
        OutcomeRow(5, "C-5", "E", sam, (M, L, L)),
        OutcomeRow(6, "C-6", "F", sam, (M, None, L)),
        OutcomeRow(7, "C-7", "G", None, (None, None, None)),
    ]
    assert _paragraph(rows, {jo: "Jo Bloggs", sam: "Sam Jones"}) == (
        "Of 7 open or paused cases, 71% are assessed at every stage and 1 at none. "
        "Engagement is strongest (67% high); Housing is weakest (80% low). "
        "6% of the assessments are made with limited confidence. "
        "Jo Bloggs's cases are ahead on Skills and work (100% high against 50% overall). "
        "Sam Jones's cases are furthest behind on Skills and work (100% low against 50% overall)."
    )


def test_a_worker_with_few_cases_assessed_is_not_called_ahead() -> None:
    rows = [
        OutcomeRow(1, "C-1", "A", 1, (H, H, H)),
        OutcomeRow(2, "C-2", "B", 2, (L, L, L)),
    ]
    words = _paragraph(rows, {1: "Jo", 2: "Sam"})
    assert "ahead" not in words and "behind" not in words
    assert words.startswith("Of 2 open or paused cases, 100% are assessed at every stage.")


def test_nothing_assessed_and_nothing_open_are_said_plainly() -> None:
    assert _paragraph([], {}) == "There are no open or paused cases here to assess."
    rows = [OutcomeRow(1, "C-1", "A", 1, (None, None, None))]
    assert (
        _paragraph(rows, {1: "Jo"})
        == "Of 1 open or paused case, none is assessed at any stage yet."
    )
    overall, by_worker = compare_workers((), [], {})
    assert "no outcome stages" in narrative((), [], overall, by_worker)
