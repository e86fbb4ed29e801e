"""The writer lock on PostgreSQL: what queues for it and what does not.

Every writing unit of work takes it when its transaction begins (writers queue, as on
SQLite). After its commit, the unit of work reads back what it saved without queueing again
behind every writer (under load that doubled a save's wait); a further write in it still
takes the lock before it writes anything.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL

from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import WRITE_LOCK_KEY, Database
from casetui.domain.models import Team

from .conftest import libpq

WAIT_S = 10.0


@pytest.fixture
def db(postgres_url: str, loopback_server: URL) -> Iterator[Database]:
    database = Database(make_engine(postgres_url))
    upgrade(database.engine)
    yield database
    database.dispose()


def _in_thread(call: Any) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except Exception as error:  # noqa: BLE001 - judged by the test
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _waiting_for_the_writer_lock(db: Database) -> bool:
    with psycopg.connect(libpq(str(db.engine.url.render_as_string(False)))) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
        ).fetchone()
    return bool(row and row[0])


@pytest.mark.postgres
def test_a_read_back_after_the_commit_does_not_queue_but_a_further_write_does(
    db: Database,
) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    other_writer = psycopg.connect(libpq(url), autocommit=True)
    try:
        with db.uow() as uow:
            uow.session.add(Team(name="North"))
            uow.commit()
            # Someone else's save holds the writer lock now.
            other_writer.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK_KEY,))

            reading, read = _in_thread(
                lambda: uow.session.execute(text("SELECT count(*) FROM team")).scalar_one()
            )
            reading.join(WAIT_S)
            assert not reading.is_alive(), "the read-back queued behind the other writer"
            assert read == {"value": 1}

            writing, wrote = _in_thread(
                lambda: uow.session.execute(
                    text("INSERT INTO team (name, version) VALUES ('South', 1)")
                )
            )
            deadline = time.monotonic() + WAIT_S
            while not _waiting_for_the_writer_lock(db) and time.monotonic() < deadline:
                time.sleep(0.01)
            assert writing.is_alive() and _waiting_for_the_writer_lock(db), (
                "a write after the commit went ahead without the writer lock"
            )
            other_writer.execute("SELECT pg_advisory_unlock(%s)", (WRITE_LOCK_KEY,))
            writing.join(WAIT_S)
            assert not writing.is_alive() and "error" not in wrote, wrote
            uow.commit()
    finally:
        other_writer.close()
    with db.uow(write=False) as uow:
        names = uow.session.execute(text("SELECT name FROM team ORDER BY name")).scalars().all()
    assert names == ["North", "South"]
