"""A caseworker saving a note while a bulk note to 5,000 cases is written: the save waits for
the bulk note's insert burst, then saves; it never gives up ("database is locked" after the
5 s busy timeout on SQLite) and nothing of either is lost.

The bulk note runs in this process, through the services on an engine of its own, and marks
when it holds the write lock; the caseworker is another process, saving a note every 20 ms
through the services as ``casetui notes add`` does, from before the bulk note starts until
after it ends. Both run on the product's own engine settings (busy timeout and all).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from casetui.db.engine import WRITE_OPTION, make_engine
from casetui.db.uow import Database
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import audit
from casetui.services import bulk_notes as bulk_note_service
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import notes as note_service
from casetui.services.staff import StaffInput, create_staff
from casetui.services.tasks import TaskInput
from casetui.services.work import writing

from .conftest import TIMEOUT_S, Office, Save
from .test_crash import CASES, _prepare

SAVER = "nell"
READY_TIMEOUT_S = 60.0
SAVER_SCRIPT = """
import json, sys, time
from pathlib import Path
from casetui.db.engine import make_engine
from casetui.db.uow import Database
from casetui.domain.errors import DatabaseUnavailable
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import notes

url, username, case_number, stop = sys.argv[1:5]
db = Database(make_engine(url))
with db.uow(write=False) as uow:
    actor = actor_from(find_by_username(uow.session, username))
note = notes.NoteInput(summary="Phoned to check in", activity_type="Phone call")
n = 0
while not Path(stop).exists():
    n += 1
    began = time.time()
    try:
        saved = notes.add_note(db, actor, case_number, note).id
        outcome = None
    except DatabaseUnavailable as error:
        saved, outcome = None, str(error)
    print(json.dumps({"n": n, "began": began, "ended": time.time(), "note": saved,
                      "refused": outcome}), flush=True)
    time.sleep(0.02)
db.dispose()
"""


def _office(url: str) -> tuple[list[str], str]:
    """5,000 cases (the crash drill's office), and a caseworker with a case of her own."""
    numbers = _prepare(url)
    db = Database(make_engine(url))
    try:
        with db.uow(write=False) as uow:
            admin = actor_from(find_by_username(uow.session, "admin"))
        create_staff(db, admin, StaffInput(SAVER, "Nell", team="Drill"))
        with db.uow(write=False) as uow:
            nell = actor_from(find_by_username(uow.session, SAVER))
        client = client_service.register_client(
            db, nell, client_service.ClientInput(name="Nia Osei")
        )
        case = case_service.open_case(db, nell, case_service.CaseInput(client_id=client))
        return numbers, case.case_number
    finally:
        db.dispose()


def _bulk_note(db: Database, numbers: list[str]) -> dict[str, float]:
    """The bulk note, marking when its writing transaction began (BEGIN IMMEDIATE on SQLite,
    the advisory write lock right after BEGIN on PostgreSQL) and when it let go."""
    held: dict[str, float] = {}

    def begin(conn: Any) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            held.setdefault("from", time.time())

    def commit(_conn: Any) -> None:
        held["to"] = time.time()

    for name, hook in (("begin", begin), ("commit", commit)):
        event.listen(db.engine, name, hook)
    with db.uow(write=False) as uow:
        admin = actor_from(find_by_username(uow.session, "admin"))
    note = note_service.NoteInput(summary="Budgeting workshop", activity_type="Workshop")
    task = TaskInput(name="Send the workshop handout", due="2030-01-15")
    result = bulk_note_service.bulk_add_notes(db, admin, numbers, note, task)
    assert len(result.note_ids) == CASES
    return held


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))  # a new, empty database


def test_a_note_saved_during_a_5000_case_bulk_note_waits_and_saves(
    url: str, tmp_path: Path
) -> None:
    numbers, own_case = _office(url)
    stop = tmp_path / "stop"
    saver = subprocess.Popen(
        [sys.executable, "-c", SAVER_SCRIPT, url, SAVER, own_case, str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    db = Database(make_engine(url))
    try:
        assert saver.stdout is not None
        first = saver.stdout.readline()  # the first save: the saver is running
        assert first, f"the saver never saved: {saver.stderr.read() if saver.stderr else ''}"
        time.sleep(0.2)
        held = _bulk_note(db, numbers)
        time.sleep(0.3)
    finally:
        stop.touch()
        out, err = saver.communicate(timeout=READY_TIMEOUT_S)
        db.dispose()
    assert saver.returncode == 0, err[-2000:]
    saves = [json.loads(line) for line in [first, *out.splitlines()]]

    refused = [s for s in saves if s["refused"]]
    assert not refused, f"{len(refused)} of {len(saves)} saves gave up: {refused[0]['refused']}"
    if url.startswith("postgresql"):
        # Writers side by side: a save on a case outside the bulk note does not wait for it,
        # it is answered while the bulk note is still writing.
        alongside = [s for s in saves if held["from"] < s["began"] < s["ended"] < held["to"]]
        assert alongside, f"no save was answered during the bulk note's writing ({held}, {saves})"
        return
    # Saves still waiting when the bulk note let go of the lock, answered after it: one
    # SQLite writer at a time, so such a save was waiting for it. It may have asked a moment
    # before the bulk note's BEGIN (the saver saves every 20 ms; the one in flight then waits).
    waited = [s for s in saves if s["began"] < held["to"] < s["ended"]]
    assert waited, f"no save overlapped the bulk note's writing ({held}, {saves})"
    longest = max(s["ended"] - s["began"] for s in saves)
    lock = held["to"] - held["from"]
    print(f"write lock held {lock:.2f} s; {len(saves)} saves, {len(waited)} waited for it, "
          f"the longest save took {longest:.2f} s")  # fmt: skip

    check = Database(make_engine(url))
    try:
        with check.engine.connect() as conn:
            ours = conn.execute(
                text("SELECT id FROM case_note WHERE summary = 'Phoned to check in'")
            ).scalars()
            assert sorted(ours) == sorted(s["note"] for s in saves)
            batch = conn.execute(
                text("SELECT count(*) FROM case_note WHERE summary = 'Budgeting workshop'")
            ).scalar()
            assert batch == CASES
        with check.uow(write=False) as uow:
            assert audit.verify(uow).ok
    finally:
        check.dispose()


def test_a_save_hands_back_what_it_saved_without_queueing_behind_the_next_writer(
    office: Office,
) -> None:
    """Once a save has committed, reading back what it saved waits for nobody: on PostgreSQL
    it used to take the write lock again, so a save that committed just before a bulk note
    started held its caseworker for the whole bulk note."""
    people = office.people
    with writing(office.first, people.olga) as work:
        work.session.execute(text("SELECT 1"))
        work.commit()  # the save is kept; what follows is the read-back
        with office.second.uow() as other:  # the next writer takes the lock and keeps it
            other.session.execute(text("SELECT 1"))
            read_back = Save(
                office.first,
                lambda _db: work.session.execute(text("SELECT count(*) FROM case_note")).scalar(),
            )
            read_back.start()
            read_back.join(TIMEOUT_S / 6)
            assert not read_back.is_alive(), "the read-back waited for the next writer"
    assert read_back.outcome.error is None, repr(read_back.outcome.error)
    assert read_back.outcome.value >= 1
