"""Writers side by side on PostgreSQL: a save on one case never waits for a save on another.

Each write locks the rows of the cases it writes (in case-id order, however many) and takes
the audit chain's lock only while the server appends its events, as it commits; a write whose
rules reach across the organisation (deactivating a person) still runs alone. What the single
writer lock used to give must still hold: the audit chain one line, stale saves refused, no
deadlock surfacing to a person. SQLite keeps one writer at a time; where a scenario means
something there, it runs on both.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlmodel import col

from casetui.db.engine import make_engine
from casetui.db.uow import Database
from casetui.domain.actor import Actor
from casetui.domain.errors import CasesStillHeld, StaleEdit
from casetui.domain.models import AuditAnchor, AuditEvent, Case, CaseNote
from casetui.services import audit
from casetui.services import bulk_notes as bulk_note_service
from casetui.services import cases as case_service
from casetui.services import notes as note_service
from casetui.services import staff as staff_service
from casetui.services.audit import event_hash
from casetui.services.records import save_versioned
from casetui.services.tasks import TaskInput
from casetui.services.work import writing

from .conftest import TIMEOUT_S, Office, Save, together

ON_POSTGRES = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)], indirect=True
)


def _note(summary: str) -> note_service.NoteInput:
    return note_service.NoteInput(summary=summary, activity_type="Phone call")


def _task(name: str) -> TaskInput:
    return TaskInput(name=name, due="2030-01-15")


class HeldAtCommit:
    """Holds the first transaction on ``db`` to reach COMMIT there, until let go: its writes
    done, its row locks held, its audit events not yet appended (the server does that as it
    commits)."""

    def __init__(self, db: Database) -> None:
        self.db, self.reached, self.let_go = db, threading.Event(), threading.Event()

    def _hold(self, _conn: Any) -> None:
        if not self.reached.is_set():
            self.reached.set()
            self.let_go.wait(TIMEOUT_S)

    def __enter__(self) -> HeldAtCommit:
        event.listen(self.db.engine, "commit", self._hold)
        return self

    def __exit__(self, *_: object) -> None:
        self.let_go.set()

    def start(self, call: Any) -> Save:
        save = Save(self.db, call)
        save.start()
        assert self.reached.wait(TIMEOUT_S), f"never reached COMMIT: {save.outcome.error!r}"
        return save


def _finish(*saves: Save) -> None:
    for save in saves:
        save.join(TIMEOUT_S)
        assert not save.is_alive(), "a save never finished"
        assert save.outcome.error is None, repr(save.outcome.error)


def _notes_on(office: Office, case_number: str, summary: str) -> int:
    return int(
        office.scalar(
            "SELECT count(*) FROM case_note n JOIN cases c ON c.id = n.case_id "
            "WHERE c.case_number = :c AND n.summary = :s",
            c=case_number,
            s=summary,
        )
    )


@ON_POSTGRES
def test_a_save_on_another_case_goes_through_while_the_first_is_still_open(
    office: Office,
) -> None:
    olga, (mine, other) = office.people.olga, office.people.olga_cases[:2]
    with HeldAtCommit(office.first) as held:
        first = held.start(
            lambda db: note_service.add_note(db, olga, mine, _note("First"), [_task("Call")])
        )
        # The first save has written its note and task and holds its case: still open.
        second = Save(
            office.second,
            lambda db: note_service.add_note(db, olga, other, _note("Second"), [_task("Write")]),
        )
        second.start()
        second.join(TIMEOUT_S)
        assert not second.is_alive(), "the save on another case waited for the first one"
        assert second.outcome.error is None, repr(second.outcome.error)
        assert first.is_alive(), "the first save was not held open meanwhile"
        assert _notes_on(office, other, "Second") == 1 and _notes_on(office, mine, "First") == 0
    _finish(first)
    assert _notes_on(office, mine, "First") == 1
    office.assert_chain_intact()


@ON_POSTGRES
def test_a_save_on_the_same_case_waits_for_the_first(office: Office) -> None:
    olga, sam, case = office.people.olga, office.people.sam, office.people.olga_cases[0]
    with HeldAtCommit(office.first) as held:
        first = held.start(lambda db: note_service.add_note(db, olga, case, _note("First")))
        second = Save(office.second, lambda db: note_service.add_note(db, sam, case, _note("Next")))
        second.start()
        office.wait_until_queued(second)
        assert second.is_alive(), "a save on the same case did not wait for the case's writer"
    _finish(first, second)
    office.assert_chain_intact()


@ON_POSTGRES
def test_deactivating_someone_waits_for_a_reassign_to_them_and_then_refuses(
    office: Office,
) -> None:
    """A write that runs alone (its rule, "holds no case", reaches across the organisation)
    waits for the writes under way, so the case given to ben meanwhile is seen."""
    people, case = office.people, office.people.olga_cases[5]
    with HeldAtCommit(office.first) as held:
        move = held.start(lambda db: case_service.reassign(db, people.sam, case, "ben"))
        leave = Save(
            office.second, lambda db: staff_service.deactivate_staff(db, people.admin, "ben")
        )
        leave.start()
        office.wait_until_queued(leave)
        assert leave.is_alive(), "the deactivation did not wait for the reassign"
    _finish(move)
    leave.join(TIMEOUT_S)
    assert isinstance(leave.outcome.error, CasesStillHeld), repr(leave.outcome.error)
    assert office.scalar("SELECT active FROM staff WHERE username = 'ben'") is True
    office.assert_chain_intact()


def _each_on_its_own_engine(office: Office, count: int) -> Iterator[Database]:
    url = office.first.engine.url.render_as_string(hide_password=False)
    return (Database(make_engine(url), clock=office.first.clock) for _ in range(count))


def test_the_audit_chain_stays_one_line_under_many_writers(office: Office) -> None:
    people, cases = office.people, list(office.people.olga_cases)
    # SQLite queues every writer for the file (5 s at most each): fewer of them there.
    writers, each = (6, 8) if office.is_postgres else (3, 6)
    databases = list(_each_on_its_own_engine(office, writers + 1))
    start_line = threading.Barrier(writers + 1)
    anchor_before = office.read(lambda uow: uow.session.get(AuditAnchor, 1)).events

    def caseworker(n: int) -> Any:
        def saves(db: Database) -> None:
            for i in range(each):
                # Their own case mostly, and now and then the first case, which all share.
                case = cases[0] if i % 4 == 0 else cases[10 + n]
                note_service.add_note(
                    db, people.olga, case, _note(f"Chain {n}.{i}"), [_task(f"Task {n}.{i}")]
                )

        return saves

    def group_worker(db: Database) -> None:
        for i in range(2):
            bulk_note_service.bulk_add_notes(
                db, people.olga, cases[:40], _note(f"Group {i}"), _task(f"Handout {i}")
            )

    try:
        saves = [Save(db, caseworker(n), start_line) for n, db in enumerate(databases[:writers])]
        saves.append(Save(databases[-1], group_worker, start_line))
        for save in saves:
            save.start()
        _finish(*saves)
    finally:
        for db in databases:
            db.dispose()

    # Each note and task has its event; the anchor counted every one; the chain verifies.
    notes, bulk = writers * each, 2 * 40
    for action, table, where in (
        ("note.add", "case_note", "summary LIKE 'Chain %' OR summary LIKE 'Group %'"),
        ("task.add", "follow_up_task", "name LIKE 'Task %' OR name LIKE 'Handout %'"),
    ):
        rows = office.scalar(f"SELECT count(*) FROM {table} WHERE {where}")  # noqa: S608
        events = office.scalar(
            f"SELECT count(*) FROM audit_event WHERE action = '{action}' AND entity_id IN "  # noqa: S608
            f"(SELECT CAST(id AS TEXT) FROM {table} WHERE {where})"
        )
        assert rows == events == notes + bulk, (action, rows, events)
    anchor = office.read(lambda uow: uow.session.get(AuditAnchor, 1))
    assert anchor.events - anchor_before >= 2 * (notes + bulk)
    office.assert_chain_intact()


def test_two_bulk_notes_over_the_same_cases_in_opposite_orders_both_land(
    office: Office,
) -> None:
    people, cases = office.people, list(office.people.olga_cases)
    forward, backward = cases[:120], list(reversed(cases[40:160]))
    collided: list[str] = []

    def watch(context: Any) -> None:
        code = getattr(context.original_exception, "sqlstate", None)
        if code in ("40P01", "40001"):
            collided.append(code)

    for db in (office.first, office.second):
        event.listen(db.engine, "handle_error", watch)
    for round_ in range(3):
        ana, ben = together(
            office,
            lambda db, r=round_: bulk_note_service.bulk_add_notes(
                db, people.olga, forward, _note(f"Forward {r}"), _task(f"Forward {r}")
            ),
            lambda db, r=round_: bulk_note_service.bulk_add_notes(
                db, people.sam, backward, _note(f"Backward {r}"), _task(f"Backward {r}")
            ),
        )
        assert ana.error is None and ben.error is None, (ana.error, ben.error)
        assert len(ana.value.note_ids) == len(ben.value.note_ids) == 120
    # Locked in case-id order by both: they queued, never deadlocked.
    assert collided == []
    both = office.scalar(
        "SELECT count(*) FROM cases c WHERE "
        "(SELECT count(*) FROM case_note n WHERE n.case_id = c.id AND n.summary LIKE 'Forward %') "
        "= 3 AND (SELECT count(*) FROM case_note n WHERE n.case_id = c.id "
        "AND n.summary LIKE 'Backward %') = 3"
    )
    assert both == 80  # cases[40:120], in both
    office.assert_chain_intact()


@ON_POSTGRES
def test_a_deadlock_is_retried_and_the_person_never_sees_it(office: Office) -> None:
    """Someone else (here a bare connection) holds the second of two cases and then asks for
    the first, which the bulk note holds while it waits for the second. The bulk note's wait
    is the older, so PostgreSQL ends its transaction; it is run again, waits its turn, and
    lands once, saying nothing of it."""
    people, (first, second) = office.people, office.people.olga_cases[:2]
    ids = office.read(
        lambda uow: (
            uow.session.execute(
                select(col(Case.id)).where(col(Case.case_number).in_([first, second]))
            )
            .scalars()
            .all()
        )
    )
    collided: list[str] = []

    def watch(context: Any) -> None:
        if getattr(context.original_exception, "sqlstate", None) == "40P01":
            collided.append("40P01")

    event.listen(office.first.engine, "handle_error", watch)
    other = office.second.engine.connect()
    try:
        # The other side looks for a deadlock only after the bulk note has: it is not ended.
        other.exec_driver_sql("SET LOCAL deadlock_timeout = '20s'")
        other.exec_driver_sql("SELECT id FROM cases WHERE id = %s FOR UPDATE", (max(ids),))
        bulk = Save(
            office.first,
            lambda db: bulk_note_service.bulk_add_notes(
                db, people.olga, [first, second], _note("Group")
            ),
        )
        bulk.start()
        office.wait_until_queued(bulk)  # holds the first case, waits for the second
        other.exec_driver_sql("SELECT id FROM cases WHERE id = %s FOR UPDATE", (min(ids),))
        deadline = time.monotonic() + TIMEOUT_S
        while not collided and time.monotonic() < deadline:  # told in the bulk note's thread
            time.sleep(0.01)
        assert collided == ["40P01"], "the bulk note's transaction was not the one ended"
        assert bulk.is_alive(), "the bulk note did not wait for the cases again"
        other.rollback()
    finally:
        other.close()
    _finish(bulk)
    assert office.scalar("SELECT count(*) FROM case_note WHERE summary = 'Group'") == 2
    office.assert_chain_intact()


def test_a_stale_versioned_save_is_refused_when_both_ran_at_once(office: Office) -> None:
    """Two units of work change one note from version 1; the second's UPDATE waits for the
    first's row (PostgreSQL) or its BEGIN IMMEDIATE (SQLite), then finds version 2: refused."""
    people, note_id = office.people, office.people.olga_note
    assert note_id is not None
    updated = threading.Event()

    def change(db: Database, actor: Actor, summary: str, hold: bool) -> None:
        with writing(db, actor) as work:
            note = work.session.get(CaseNote, note_id)
            assert note is not None
            save_versioned(work, note, 1, {"summary": summary})
            if hold:
                updated.set()
                release.wait(TIMEOUT_S)
            work.commit()

    release = threading.Event()
    first = Save(office.first, lambda db: change(db, people.olga, "First", True))
    first.start()
    assert updated.wait(TIMEOUT_S)
    second = Save(office.second, lambda db: change(db, people.sam, "Second", False))
    second.start()
    office.wait_until_queued(second)
    assert second.is_alive(), "the second save did not wait for the first"
    release.set()
    _finish(first)
    second.join(TIMEOUT_S)
    assert isinstance(second.outcome.error, StaleEdit), repr(second.outcome.error)
    row = office.read(lambda uow: uow.session.get(CaseNote, note_id))
    assert (row.summary, row.version) == ("First", 2)


AWKWARD = (
    'quotes " and \\ backslash',
    "new\nline, tab\t, return\r, bell\x07, escape\x1b, form feed\x0c, back\x08, delete\x7f",
    "accents: Zoë Šťastná, Ærø; CJK 漢字; emoji 🙂; U+2028 \u2028 here",
    "",
)


@pytest.mark.parametrize("microsecond", [0, 5, 123456])
def test_events_appended_at_commit_hash_as_the_trail_checks_them(
    office: Office, clock: Any, microsecond: int
) -> None:
    """On PostgreSQL the server hashes each event as it commits; the hash must be the one
    ``event_hash`` computes (what ``audit verify`` checks), whatever the text holds."""
    clock.set(clock().replace(microsecond=microsecond))
    people = office.people
    with writing(office.first, people.olga) as work:
        for n, words in enumerate(AWKWARD):
            audit.record(
                work, people.olga if n % 2 else None, "note.view_restricted", "case_note",
                None if n == 3 else f"{n}:{words[:20]}", case_id=None if n == 2 else n,
                before={"text": words} if n else None, after={"text": words, "n": n},
                username=words[:30] or "system",
            )  # fmt: skip
        work.commit()
    newest = office.read(
        lambda uow: (
            uow.session.execute(
                select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(len(AWKWARD))
            )
            .scalars()
            .all()
        )
    )
    assert len(newest) == len(AWKWARD)
    for found in newest:
        assert found.hash == event_hash(found), found.id
        assert found.at.microsecond == microsecond
    assert office.scalar("SELECT count(*) FROM audit_pending") == 0
    office.assert_chain_intact()
