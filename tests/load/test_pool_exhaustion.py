"""Every connection of one program in use: the next call waits a bounded time, then says the
database is busy, as the app says of a database that went away, and works again once one is
free. Never a hang."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

import casetui.db.engine as engine_module
from casetui.db.engine import POOL_MAX_OVERFLOW, POOL_SIZE, POOL_TIMEOUT_S, make_engine
from casetui.domain.errors import DatabaseUnavailable
from casetui.services import caseload, notes
from casetui.services.auth import sign_in
from casetui.services.note_rules import NoteInput
from casetui.services.tasks import TaskInput

from .conftest import PASSWORD, Office, open_office

WAIT_S = 0.5  # the pool's wait in these tests; the product's is POOL_TIMEOUT_S


@pytest.fixture
def office(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Office]:
    """One program whose pool holds a single connection and waits WAIT_S for it."""
    monkeypatch.setattr(engine_module, "POOL_SIZE", 1)
    monkeypatch.setattr(engine_module, "POOL_MAX_OVERFLOW", 0)
    monkeypatch.setattr(engine_module, "POOL_TIMEOUT_S", WAIT_S)
    yield from open_office(database_url)


def test_the_product_pool_waits_a_bounded_time(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert engine.pool.timeout() == POOL_TIMEOUT_S <= 30  # type: ignore[attr-defined]
        assert engine.pool.size() == POOL_SIZE  # type: ignore[attr-defined]
        assert POOL_SIZE + POOL_MAX_OVERFLOW >= 4  # a screen's few workers at once never wait
    finally:
        engine.dispose()


def _holding_the_only_connection(office: Office) -> tuple[threading.Event, threading.Thread]:
    """Another part of the program sits in a read with the only connection."""
    holding, let_go = threading.Event(), threading.Event()

    def hold() -> None:
        with office.db.uow(write=False) as uow:
            uow.session.execute(text("SELECT 1"))
            holding.set()
            let_go.wait(30)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert holding.wait(10)
    return let_go, thread


def test_a_read_and_a_save_are_told_the_database_is_busy_then_work(office: Office) -> None:
    actor = sign_in(office.db, office.caseworker, PASSWORD)
    let_go, holder = _holding_the_only_connection(office)
    note = NoteInput(summary="Phoned about the tenancy", activity_type="Phone call")
    task = TaskInput(name="Call back", due="+3d")
    try:
        for call in (
            lambda: caseload.first_page(office.db, actor, caseload.starting_filter(actor)),
            lambda: notes.add_note(office.db, actor, office.case_number, note, [task]),
        ):
            started = time.monotonic()
            with pytest.raises(DatabaseUnavailable) as busy:
                call()
            waited = time.monotonic() - started
            assert WAIT_S * 0.9 <= waited < WAIT_S + 2.0, waited
            assert str(busy.value) == (
                f"the database is busy: every connection this program may open stayed in use "
                f"for {WAIT_S:g} s; try again in a moment"
            )
            assert busy.value.worth_retrying  # the app's "database away" bar retries it
    finally:
        let_go.set()
        holder.join(10)
    saved = notes.add_note(office.db, actor, office.case_number, note, [task])
    assert saved.summary == "Phoned about the tenancy"
    listed = notes.list_notes(office.db, actor, office.case_number)
    assert [n.id for n in listed].count(saved.id) == 1
