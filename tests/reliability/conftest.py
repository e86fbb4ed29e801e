"""Two people at once on one database, each with an engine of their own.

An office (staff and clients through the services, a caseload written in bulk) is seeded once
per test process and given to each test afresh: a copied file on SQLite, the seeded rows put
back into this process's own database on PostgreSQL. Each test then opens two ``Database``
objects on it, as two people's apps or commands would: two engines on one SQLite file, or two
engines on one PostgreSQL database.
"""

from __future__ import annotations

import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database, UnitOfWork
from casetui.demo.bulk import BulkWriter
from casetui.demo.caseload import CASE_COLUMNS, CLIENT_COLUMNS
from casetui.domain.actor import Actor
from casetui.domain.enums import Grant
from casetui.domain.models import Staff
from casetui.domain.name_words import search_name
from casetui.repositories.staff import actor_from
from casetui.services import audit
from casetui.services import clients as client_service
from casetui.services import notes as note_service
from casetui.services import staff as staff_service
from casetui.services.defaults import ensure_defaults

# The root conftest's FakeClock starts here, so a copied office is as fresh as a new one.
SEEDED_AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
CASELOAD = 200
# Long enough for any honest wait on a loaded machine; a save stuck past it is a deadlock.
TIMEOUT_S = 30.0
# SQLite shows no queue for its write lock; by then BEGIN IMMEDIATE is waiting on busy_timeout.
SQLITE_QUEUE_SETTLE_S = 0.2


@dataclass(frozen=True)
class People:
    """North team: supervisor sam; caseworkers olga (200 cases), ana and ben (who may choose
    case numbers). ana and ben have each registered a client who has no case yet."""

    admin: Actor
    sam: Actor
    olga: Actor
    ana: Actor
    ben: Actor
    ana_client: int
    ben_client: int
    olga_cases: tuple[str, ...] = ()
    olga_note: int | None = None


def _staff_and_clients(db: Database) -> People:
    with db.uow() as uow:
        ensure_defaults(uow)
        uow.commit()

    def hire(by: Actor | None, username: str, role: str, **extra: Any) -> Actor:
        wanted = staff_service.StaffInput(username, username.title(), role=role, **extra)
        view = staff_service.create_staff(db, by, wanted)
        with db.uow(write=False) as uow:
            return actor_from(uow.session.get(Staff, view.id))

    numbers = (Grant.BULK_ACTIONS.value, Grant.CASE_NUMBERS.value)
    admin = hire(None, "admin", "administrator")
    sam = hire(admin, "sam", "supervisor", team="North")
    olga = hire(admin, "olga", "caseworker", team="North")
    ana = hire(admin, "ana", "caseworker", team="North", grants=numbers)
    ben = hire(admin, "ben", "caseworker", team="North", grants=numbers)

    def register(worker: Actor, name: str) -> int:
        return client_service.register_client(db, worker, client_service.ClientInput(name=name))

    return People(
        admin, sam, olga, ana, ben, register(ana, "Amal Haddad"), register(ben, "Bruno Keller")
    )


def _caseload(db: Database, people: People) -> People:
    """olga's caseload of 200 open cases, written in bulk as the demo does, and one note of hers."""
    numbers = [f"C-2026-{n:06d}" for n in range(1, CASELOAD + 1)]
    created, opened = SEEDED_AT.replace(tzinfo=None), SEEDED_AT.date()
    with db.uow() as uow:
        bulk = BulkWriter(uow.session.connection())
        first_client, first_case = bulk.first_free_id("client"), bulk.first_free_id("cases")
        clients = [
            (first_client + n, f"Client {n + 1:03d}", None, None, None, None, None,
             search_name(f"Client {n + 1:03d}", None), None, "Active", bulk.moment(created), None,
             1)
            for n in range(CASELOAD)
        ]  # fmt: skip
        cases = [
            (first_case + n, number, first_client + n, "Open", "Low", people.olga.id,
             people.olga.team_id, None, bulk.day(opened), None, None, bulk.moment(created), None, 1)
            for n, number in enumerate(numbers)
        ]  # fmt: skip
        bulk.insert("client", CLIENT_COLUMNS, clients)
        bulk.insert("cases", CASE_COLUMNS, cases)
        bulk.finish()
        uow.commit()
    note = note_service.add_note(
        db,
        people.olga,
        numbers[0],
        note_service.NoteInput(summary="Phoned about the tenancy", activity_type="Phone call"),
    )
    return People(**{**vars(people), "olga_cases": tuple(numbers), "olga_note": note.id})


# --- offices: seeded once per test process, put back for each test --------------------------------


def _dsn(server: URL, database: str) -> str:
    return server.set(drivername="postgresql", database=database).render_as_string(
        hide_password=False
    )


def _pg_url(server: URL, database: str) -> str:
    # Throwaway databases need no durability: commits skip the wait for the disk.
    url = server.set(database=database).update_query_dict({"options": "-c synchronous_commit=off"})
    return url.render_as_string(hide_password=False)


Rows = dict[str, list[dict[str, Any]]]


def _seed(url: str, clock: Any, base: People | None) -> People:
    db = Database(make_engine(url), clock=clock)
    try:
        if base is None:
            upgrade(db.engine)
            return _staff_and_clients(db)
        return _caseload(db, base)
    finally:
        db.dispose()  # the last connection to close folds SQLite's WAL back into the file


@dataclass
class SqliteShelf:
    """Seeded offices as files ("staffed", "caseload"), built on first use, copied per test."""

    folder: Path
    clock: Any
    built: dict[str, tuple[Path, People]] = field(default_factory=dict)

    def _template(self, name: str) -> tuple[Path, People]:
        if name not in self.built:
            base = None if name == "staffed" else self._template("staffed")
            path = self.folder / f"{name}.db"
            if base is not None:
                shutil.copyfile(base[0], path)
            self.built[name] = (path, _seed(f"sqlite:///{path}", self.clock, base and base[1]))
        return self.built[name]

    def office(self, name: str, folder: Path) -> tuple[str, People]:
        path, people = self._template(name)
        shutil.copyfile(path, folder / "office.db")
        return f"sqlite:///{folder / 'office.db'}", people


@dataclass
class PgShelf:
    """One PostgreSQL database for this test process, put back to a seeded office per test.

    Creating a database per test is quick, but dropping one waits for a checkpoint (seconds
    on a busy server); emptying the tables and writing the seeded rows back is not.
    """

    server: URL
    clock: Any
    name: str = field(default_factory=lambda: f"casetui_rel_{secrets.token_hex(6)}")
    built: dict[str, tuple[Rows, People]] = field(default_factory=dict)
    created: bool = False

    @property
    def url(self) -> str:
        return _pg_url(self.server, self.name)

    def office(self, name: str) -> tuple[str, People]:
        if not self.created:
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.created = True
        if name not in self.built:
            base = None
            if name != "staffed":
                self.office("staffed")
                base = self.built["staffed"][1]
            people = _seed(self.url, self.clock, base)
            self.built[name] = (_all_rows(self.url), people)
        rows, people = self.built[name]
        self._put_back(rows)
        return self.url, people

    def _admin(self, statement: str) -> None:
        # CREATE/DROP DATABASE cannot run inside a transaction, hence autocommit.
        with psycopg.connect(_dsn(self.server, "postgres"), autocommit=True) as admin:
            admin.execute(statement)

    def _put_back(self, rows: Rows) -> None:
        """Every table holds exactly the seeded rows again, and new ids follow theirs."""
        with psycopg.connect(_dsn(self.server, "postgres"), autocommit=True) as admin:
            # A connection a failed test left open would hold locks the reset needs.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.name,),
            )
        tables = SQLModel.metadata.sorted_tables
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                # The audit trail's triggers refuse deletes and rewinds; not while putting back.
                for table in tables:
                    conn.exec_driver_sql(f'ALTER TABLE "{table.name}" DISABLE TRIGGER USER')
                for table in reversed(tables):
                    conn.execute(table.delete())
                for table in tables:
                    if rows[table.name]:
                        conn.execute(table.insert(), rows[table.name])
                    if "id" in table.c and table.c.id.primary_key:
                        following = f'SELECT coalesce(max(id), 0) + 1 FROM "{table.name}"'
                        conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence(:t, 'id'), ({following}), false)"
                            ),
                            {"t": table.name},
                        )
                for table in tables:
                    conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ENABLE TRIGGER USER')
        finally:
            engine.dispose()

    def drop(self) -> None:
        if self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _all_rows(url: str) -> Rows:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return {
                table.name: [dict(row._mapping) for row in conn.execute(table.select())]
                for table in SQLModel.metadata.sorted_tables
            }
    finally:
        engine.dispose()


@dataclass
class Shelf:
    sqlite: SqliteShelf
    postgres: PgShelf | None = None


@pytest.fixture(scope="session")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shelf]:
    offices = Shelf(SqliteShelf(tmp_path_factory.mktemp("offices"), clock=lambda: SEEDED_AT))
    try:
        yield offices
    finally:
        if offices.postgres is not None:
            offices.postgres.drop()


# --- one office, two people's databases ---------------------------------------------------------


@dataclass
class Office:
    """One database, and two people's ``Database`` objects on it (separate engines)."""

    first: Database
    second: Database
    people: People

    @property
    def is_postgres(self) -> bool:
        return not self.first.is_sqlite

    def read(self, query: Callable[[UnitOfWork], Any]) -> Any:
        """A query in a read-only unit of work; rows come back detached but fully loaded."""
        with self.first.uow(write=False) as uow:
            result = query(uow)
            uow.session.expunge_all()  # else closing the unit of work expires them
            return result

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.first.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def assert_chain_intact(self) -> None:
        check = self.read(audit.verify)
        assert check.ok, f"audit chain broken at event {check.broken_at}: {check.problem}"

    def wait_until_queued(self, save: threading.Thread) -> None:
        """Return once ``save`` is waiting for a lock another transaction holds (or is done)."""
        if not self.is_postgres:
            save.join(SQLITE_QUEUE_SETTLE_S)
            return
        deadline = time.monotonic() + TIMEOUT_S
        waiting = (
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        while save.is_alive() and not self.scalar(waiting):
            assert time.monotonic() < deadline, "the second save neither queued nor finished"
            time.sleep(0.005)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def backend(request: pytest.FixtureRequest, shelf: Shelf) -> str:
    if request.param == "postgres" and shelf.postgres is None:
        # The root conftest's check: a skip without a server, a failure in CI.
        server = request.getfixturevalue("postgres_server")
        shelf.postgres = PgShelf(server, clock=lambda: SEEDED_AT)
    return str(request.param)


def _office(shelf: Shelf, backend: str, name: str, folder: Path, clock: Any) -> Iterator[Office]:
    if backend == "postgres":
        assert shelf.postgres is not None
        url, people = shelf.postgres.office(name)
    else:
        url, people = shelf.sqlite.office(name, folder)
    first = Database(make_engine(url), clock=clock)
    second = Database(make_engine(url), clock=clock)
    try:
        yield Office(first, second, people)
    finally:
        first.dispose()
        second.dispose()


@pytest.fixture
def office(shelf: Shelf, backend: str, tmp_path: Path, clock: Any) -> Iterator[Office]:
    """Staff, two clients without a case, and olga's caseload of 200 cases with one note."""
    yield from _office(shelf, backend, "caseload", tmp_path, clock)


@pytest.fixture
def new_office(shelf: Shelf, backend: str, tmp_path: Path, clock: Any) -> Iterator[Office]:
    """Staff and two clients, and no case yet: the next case opened is the first."""
    yield from _office(shelf, backend, "staffed", tmp_path, clock)


# --- two saves at once ----------------------------------------------------------------------------


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None
    queued: bool = False  # still waiting when the other transaction was let go


class Save(threading.Thread):
    """One person's service call on their own ``Database`` (the service opens its own unit of
    work), on a worker thread as the TUI runs it."""

    def __init__(
        self,
        db: Database,
        call: Callable[[Database], Any],
        start_line: threading.Barrier | None = None,
    ) -> None:
        super().__init__(daemon=True)
        self.db, self.call, self.start_line, self.outcome = db, call, start_line, Outcome()

    def run(self) -> None:
        try:
            if self.start_line is not None:
                self.start_line.wait(TIMEOUT_S)
            # The service opens its own unit of work on this person's Database, so its
            # transaction runs on that engine alone: ``overlapping`` still holds the first one
            # open at its COMMIT (an event on the first engine) while the second runs on the
            # other Database, as when the test opened each unit of work itself.
            self.outcome.value = self.call(self.db)
        except BaseException as exc:  # noqa: BLE001 - handed to the test to judge
            self.outcome.error = exc


def overlapping(
    office: Office,
    first_call: Callable[[Database], Any],
    second_call: Callable[[Database], Any],
) -> tuple[Outcome, Outcome]:
    """The first person's save does all its work and is held open at COMMIT; the second
    person's save starts on the other engine meanwhile; then the first commits."""
    at_commit, let_go = threading.Event(), threading.Event()

    def hold(_connection: Any) -> None:
        at_commit.set()
        let_go.wait(TIMEOUT_S)

    event.listen(office.first.engine, "commit", hold, once=True)
    first = Save(office.first, first_call)
    first.start()
    if not at_commit.wait(TIMEOUT_S):
        let_go.set()
        first.join(TIMEOUT_S)
        raise AssertionError(f"the first save never reached COMMIT: {first.outcome.error!r}")
    second = Save(office.second, second_call)
    second.start()
    office.wait_until_queued(second)
    second.outcome.queued = second.is_alive()
    let_go.set()
    for save in (first, second):
        save.join(TIMEOUT_S)
        assert not save.is_alive(), "a save never finished: the two are deadlocked"
    return first.outcome, second.outcome


def together(
    office: Office,
    first_call: Callable[[Database], Any],
    second_call: Callable[[Database], Any],
) -> tuple[Outcome, Outcome]:
    """Both saves let go at the same instant, each on its own engine; either may win."""
    start_line = threading.Barrier(2)
    saves = (
        Save(office.first, first_call, start_line),
        Save(office.second, second_call, start_line),
    )
    for save in saves:
        save.start()
    for save in saves:
        save.join(TIMEOUT_S)
        assert not save.is_alive(), "a save never finished: the two are deadlocked"
    return saves[0].outcome, saves[1].outcome
