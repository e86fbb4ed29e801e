"""A bulk note holds the write lock while it writes, so every other writer waits for it: its
reads must not grow a query per case (5,000 cases held by one person took 50 s on SQLite that
way), nor its writes a statement per case (an INSERT ... RETURNING per note took most of its
2.5 s under the lock), and a refused one must not take the lock at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event

from casetui.db.engine import WRITE_OPTION
from casetui.domain.errors import BulkRefused
from casetui.services import bulk_notes as bulk_note_service
from casetui.services import cases as case_service
from casetui.services import notes as note_service
from casetui.services.tasks import TaskInput

from .conftest import Office


@dataclass
class Statements:
    """What a bulk note sent: every SELECT, and every statement while it held the write lock."""

    selects: list[str] = field(default_factory=list)
    under_lock: list[str] = field(default_factory=list)
    write_transactions: int = 0
    holding: bool = False


@contextmanager
def _watched(office: Office) -> Iterator[Statements]:
    seen = Statements()

    def begin(conn: Any) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            seen.holding = True
            seen.write_transactions += 1

    def end(_conn: Any) -> None:
        seen.holding = False

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        if sql.lstrip().upper().startswith("SELECT"):
            seen.selects.append(sql)
        if seen.holding:
            seen.under_lock.append(sql)

    engine = office.first.engine
    hooks = [("begin", begin), ("commit", end), ("rollback", end)]
    hooks.append(("before_cursor_execute", statement))
    for name, hook in hooks:
        event.listen(engine, name, hook)
    try:
        yield seen
    finally:
        for name, hook in hooks:
            event.remove(engine, name, hook)


def _bulk_note(office: Office, case_numbers: list[str], summary: str) -> Statements:
    with _watched(office) as seen:
        note = note_service.NoteInput(summary=summary, activity_type="Workshop")
        task = TaskInput(name="Send the handout", due="2026-12-01")
        result = bulk_note_service.bulk_add_notes(
            office.first, office.people.olga, case_numbers, note, task
        )
    assert len(result.note_ids) == len(result.task_ids) == len(case_numbers)
    return seen


def test_bulk_note_reads_as_much_for_180_cases_as_for_20(office: Office) -> None:
    cases = list(office.people.olga_cases)
    few = _bulk_note(office, cases[:20], "Workshop, morning group").selects
    many = _bulk_note(office, cases[20:], "Workshop, afternoon group").selects
    assert len(many) == len(few), f"20 cases: {len(few)} queries; 180 cases: {len(many)}"
    office.assert_chain_intact()


def test_bulk_note_writes_as_many_statements_for_180_cases_as_for_20(office: Office) -> None:
    """Under the write lock: the checks asked again, then one insert per table, whatever
    the number of cases (a batch of rows is still one statement to the driver)."""
    cases = list(office.people.olga_cases)
    few = _bulk_note(office, cases[:20], "Workshop, morning group")
    many = _bulk_note(office, cases[20:], "Workshop, afternoon group")
    assert few.write_transactions == many.write_transactions == 1
    assert len(many.under_lock) == len(few.under_lock), (
        f"under the write lock, 20 cases: {len(few.under_lock)} statements; "
        f"180 cases: {len(many.under_lock)}"
    )
    office.assert_chain_intact()


@pytest.mark.parametrize("refusal", ["a case not hers", "no such case"])
def test_refused_bulk_note_never_takes_the_write_lock(office: Office, refusal: str) -> None:
    people = office.people
    if refusal == "a case not hers":
        wanted = case_service.CaseInput(client_id=people.ana_client)
        stranger = case_service.open_case(office.first, people.ana, wanted).case_number
    else:
        stranger = "C-1999-999999"
    cases = [*people.olga_cases[:50], stranger]
    before = office.scalar("SELECT count(*) FROM audit_event")
    with _watched(office) as seen, pytest.raises(BulkRefused) as refused:
        note = note_service.NoteInput(summary="Workshop", activity_type="Workshop")
        bulk_note_service.bulk_add_notes(office.first, people.olga, cases, note)
    assert [r.case_number for r in refused.value.refusals] == [cases[-1]]
    assert seen.write_transactions == 0, "a refused bulk note kept other writers waiting"
    assert office.scalar("SELECT count(*) FROM audit_event") == before
