"""A bulk note holds the write lock while it runs, so every other writer waits for it: its reads
must not grow a query per case (5,000 cases held by one person took 50 s on SQLite that way)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from casetui.services import bulk_notes as bulk_note_service
from casetui.services import notes as note_service

from .conftest import Office


def _queries_for(office: Office, case_numbers: list[str], summary: str) -> int:
    """How many SELECTs a bulk note to these cases sends (writes may go row by row)."""
    queries: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            queries.append(statement)

    event.listen(office.first.engine, "before_cursor_execute", count)
    try:
        note = note_service.NoteInput(summary=summary, activity_type="Workshop")
        result = bulk_note_service.bulk_add_notes(
            office.first, office.people.olga, case_numbers, note
        )
    finally:
        event.remove(office.first.engine, "before_cursor_execute", count)
    assert len(result.note_ids) == len(case_numbers)
    return len(queries)


def test_bulk_note_reads_as_much_for_180_cases_as_for_20(office: Office) -> None:
    cases = list(office.people.olga_cases)
    few = _queries_for(office, cases[:20], "Workshop, morning group")
    many = _queries_for(office, cases[20:], "Workshop, afternoon group")
    assert many == few, f"20 cases: {few} queries; 180 cases: {many}"
    office.assert_chain_intact()
