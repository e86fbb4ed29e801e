"""A what-if sketch's moves, merged without the database: a case moved again keeps where it
came from, and one moved back to its holder leaves the sketch."""

from __future__ import annotations

from casetui.domain.read_models.people import WorkloadRow
from casetui.domain.transfer import CaseMove, SketchMove, merged, moved_rows


def test_a_case_moved_again_keeps_its_holder_and_the_version_first_seen() -> None:
    sketch = merged([], SketchMove("C-1", "ana", "ben", 3))
    sketch = merged(sketch, SketchMove("C-1", "ben", "cara", 4))
    assert sketch == [SketchMove("C-1", "ana", "cara", 3)]


def test_a_case_moved_back_to_its_holder_leaves_the_sketch() -> None:
    sketch = merged([SketchMove("C-2", "ana", "ben", 1)], SketchMove("C-1", "ana", "ben", 3))
    assert merged(sketch, SketchMove("C-1", "ben", "ana", 3)) == [
        SketchMove("C-2", "ana", "ben", 1)
    ]


def test_moved_rows_carry_hours_and_counts_with_each_case() -> None:
    rows = [
        WorkloadRow(1, "ana", "Ana", "North", 10.0, 6.0, {"Low": 2, "Medium": 0, "High": 1}),
        WorkloadRow(2, "ben", "Ben", "North", 20.0, 0.0, {"Low": 0, "Medium": 0, "High": 0}),
    ]
    move = CaseMove(7, "C-7", "Kim", "High", "Open", 4.0, "ana", "ben", 1)
    after = {r.username: r for r in moved_rows(rows, [move])}
    assert (after["ana"].allocated_hours, after["ben"].allocated_hours) == (2.0, 4.0)
    assert after["ana"].cases_by_concern["High"] == 0 and after["ben"].cases_by_concern["High"] == 1
    assert [r.username for r in moved_rows(rows, [move])] == ["ana", "ben"]  # order kept
