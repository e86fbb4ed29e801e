"""A backend ended in the middle of a save (``pg_terminate_backend``, as an administrator or a
failover would): the save is refused as "the database went away", worth trying again; nothing
of it was written; trying again saves it once. Straight to PostgreSQL and through PgBouncer
in transaction-pooling mode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import URL

from casetui.db.uow import Database
from casetui.domain.errors import DatabaseUnavailable
from casetui.domain.models import Team
from casetui.services import notes
from casetui.services.audit import verify_trail
from casetui.services.auth import sign_in
from casetui.services.note_rules import NoteInput
from casetui.services.tasks import TaskInput
from casetui.startup import open_database

from .conftest import PASSWORD, Office, end_backend, libpq, open_office

MARKER = "load-test: ended mid-save"


@pytest.fixture(params=["direct", "pgbouncer"])
def way(request: pytest.FixtureRequest) -> str:
    if request.param == "pgbouncer":
        request.getfixturevalue("pgbouncer_installed")
    return str(request.param)


@pytest.fixture
def office(postgres_url: str, loopback_server: URL) -> Iterator[Office]:
    yield from open_office(postgres_url)


@pytest.fixture
def app_db(office: Office, loopback_server: URL, way: str) -> Iterator[Database]:
    """The caseworker's app: straight to the database, or through a throwaway PgBouncer."""
    if way == "direct":
        db = open_database(office.url)
        yield db
        db.dispose()
        return
    from benchmarks._load_pgbouncer import pgbouncer

    name = office.db.engine.url.database
    assert name is not None
    with pgbouncer(loopback_server, name, pool=2) as pooled:
        db = open_database(pooled.set(drivername="postgresql+psycopg").render_as_string(False))
        yield db
        db.dispose()


def _counts(url: str) -> tuple[int, int, int]:
    """Notes bearing the marker, their tasks, and audit events in all."""
    with psycopg.connect(libpq(url)) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM case_note WHERE details = %s), "
            "(SELECT count(*) FROM follow_up_task t JOIN case_note n ON n.id = t.note_id "
            " WHERE n.details = %s), (SELECT count(*) FROM audit_event)",
            (MARKER, MARKER),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])


@pytest.mark.postgres
def test_a_backend_ended_mid_save_loses_nothing_and_half_writes_nothing(
    office: Office, app_db: Database
) -> None:
    actor = sign_in(app_db, office.caseworker, PASSWORD)
    note = NoteInput(summary="Home visit", activity_type="Home visit", details=MARKER)
    task = TaskInput(name="Send the form", due="+7d")
    before = _counts(office.url)
    ended: list[int] = []

    def end_it_before_the_task(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The note and its audit event are written; the follow-up task is next.
        if statement.startswith("INSERT INTO follow_up_task") and not ended:
            pid = conn.connection.dbapi_connection.execute("SELECT pg_backend_pid()").fetchone()[0]
            ended.append(pid)
            end_backend(office.url, pid)

    event.listen(app_db.engine, "before_cursor_execute", end_it_before_the_task)
    try:
        with pytest.raises(DatabaseUnavailable) as away:
            notes.add_note(app_db, actor, office.case_number, note, [task])
    finally:
        event.remove(app_db.engine, "before_cursor_execute", end_it_before_the_task)
    assert ended, "the save never reached its task"
    assert away.value.worth_retrying and not away.value.in_doubt
    assert "could not be reached" in str(away.value)
    assert _counts(office.url) == before, "something of the refused save was written"

    # Trying again, as the app does: saved once, with its task and its events.
    saved = notes.add_note(app_db, actor, office.case_number, note, [task])
    notes_now, tasks_now, events_now = _counts(office.url)
    assert (notes_now, tasks_now) == (before[0] + 1, before[1] + 1)
    assert events_now == before[2] + 2  # note.add and task.add
    assert saved.details == MARKER
    admin = sign_in(office.db, "admin", PASSWORD)
    assert verify_trail(office.db, admin).ok


@pytest.mark.postgres
def test_a_connection_lost_before_commit_is_sent_is_not_in_doubt(office: Office) -> None:
    """Lost while the writes were still being sent: nothing was saved, so trying again is
    safe (the app retries it); only a loss during COMMIT itself leaves it in doubt."""
    db, url = office.db, office.url
    with pytest.raises(DatabaseUnavailable) as lost, db.uow() as uow:
        pid = uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        uow.session.add(Team(name="Load test team"))  # sent at commit, before COMMIT
        end_backend(url, pid)
        uow.commit()
    assert lost.value.worth_retrying and not lost.value.in_doubt
    with db.uow(write=False) as uow:
        assert (
            uow.session.execute(
                text("SELECT count(*) FROM team WHERE name = 'Load test team'")
            ).scalar_one()
            == 0
        )
