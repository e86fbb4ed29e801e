"""A small seeded organisation ("the world") on each backend, built through the services.

North team: supervisor sam, caseworkers ana, ben and olga (olga holds override_lock).
South team: caseworker cara. Also an administrator and an auditor, audrey.
Cases: ana's, ben's (ana is a further navigator on it), cara's and olga's.

Migrating and seeding once per test process keeps the suite fast: on SQLite each test gets a
copy of a seeded template file; on PostgreSQL the test process's own database is put back to
the seeded rows before each test (see PgWorkerDatabase). Tests that do not ask for the world
get an empty migrated database: a new file on SQLite, emptied tables on PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database, UnitOfWork
from casetui.domain.actor import Actor
from casetui.domain.enums import Grant
from casetui.domain.models import AuditEvent, CaseNavigator, CaseNote, Staff
from casetui.domain.read_models.notes import NoteView
from casetui.repositories.cases import CaseRepository
from casetui.repositories.staff import actor_from, find_by_username
from casetui.services import cases as case_service
from casetui.services import clients as client_service
from casetui.services import notes as note_service
from casetui.services import staff as staff_service
from casetui.services.defaults import ensure_defaults
from casetui.services.work import writing

T = TypeVar("T")

SEEDED_AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)  # the root conftest's clock default
SEEDED = pytest.StashKey[bool]()
PG_URL_ENV = "CASETUI_TEST_PG_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# --- PostgreSQL: one database per test process, reset before each test -------------------------


def _pg_server() -> URL:
    return make_url(os.environ.get(PG_URL_ENV, DEFAULT_PG_URL))


def _dsn(url: URL, database: str | None = None) -> str:
    plain = url.set(drivername="postgresql")
    if database is not None:
        plain = plain.set(database=database)
    return plain.render_as_string(hide_password=False)


def _require_postgres() -> URL:
    """Skip without a server; in CI a missing server is a failure (as the root conftest does)."""
    server = _pg_server()
    try:
        with psycopg.connect(_dsn(server), connect_timeout=5):
            return server
    except psycopg.Error as exc:
        problem = f"PostgreSQL not reachable at {server.host}:{server.port or 5432}: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)


def _test_url(server: URL, name: str) -> str:
    # Throwaway databases need no durability: commits skip the wait for the disk.
    url = server.set(database=name).update_query_dict({"options": "-c synchronous_commit=off"})
    return url.render_as_string(hide_password=False)


Rows = dict[str, list[dict[str, Any]]]
# Tables whose triggers refuse DELETE (the audit trail and its anchor).
GUARDED_TABLES = ("audit_event", "audit_anchor")


def _all_rows(engine: Engine) -> Rows:
    with engine.connect() as conn:
        return {
            t.name: [dict(r._mapping) for r in conn.execute(t.select())]
            for t in SQLModel.metadata.sorted_tables
        }


@dataclass
class PgWorkerDatabase:
    """This test process's own PostgreSQL database, put back to a known state before each test.

    Creating a database per test is quick, but dropping one waits for a checkpoint (about a
    second under load), which made the PostgreSQL half of the suite several times slower than
    the tests themselves. Emptying the tables and writing the seeded rows back leaves the
    database exactly as a fresh copy would be: the same rows, the same ids, the same chain.
    """

    server: URL
    name: str
    world: World
    seed: Rows
    fresh: Rows  # what the migrations themselves write (the audit anchor)

    @property
    def url(self) -> str:
        return _test_url(self.server, self.name)

    def reset(self, *, seeded: bool) -> None:
        with psycopg.connect(_dsn(self.server), autocommit=True) as admin:
            # A connection a failed test left open would hold locks the reset needs.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.name,),
            )
        tables = SQLModel.metadata.sorted_tables
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
                # The audit trail and its anchor refuse DELETE; a test may also have switched
                # their triggers off.
                for guarded in GUARDED_TABLES:
                    conn.exec_driver_sql(f"ALTER TABLE {guarded} DISABLE TRIGGER USER")
                # DELETE, not TRUNCATE: on a few dozen rows it is many times faster.
                for table in reversed(tables):
                    conn.execute(table.delete())
                rows = self.seed if seeded else self.fresh
                for table in tables:
                    if rows[table.name]:
                        conn.execute(table.insert(), rows[table.name])
                    if "id" in table.c and table.c.id.primary_key:
                        # Rows written back carry their ids; the next new row follows them.
                        next_id = f'SELECT coalesce(max(id), 0) + 1 FROM "{table.name}"'
                        conn.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence(:t, 'id'), ({next_id}), false)"
                            ),
                            {"t": table.name},
                        )
                for guarded in GUARDED_TABLES:
                    conn.exec_driver_sql(f"ALTER TABLE {guarded} ENABLE TRIGGER USER")
        finally:
            engine.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[PgWorkerDatabase]:
    server = _require_postgres()
    name = f"casetui_svc_{secrets.token_hex(6)}"
    with psycopg.connect(_dsn(server), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        seeding = Database(make_engine(_test_url(server, name)), clock=lambda: SEEDED_AT)
        try:
            upgrade(seeding.engine)
            fresh = _all_rows(seeding.engine)
            world = make_world(seeding, seeding.clock)
            seed = _all_rows(seeding.engine)
        finally:
            seeding.dispose()
        yield PgWorkerDatabase(server, name, world, seed, fresh)
    finally:
        with psycopg.connect(_dsn(server), autocommit=True) as admin:
            # FORCE ends connections a failed test may have left open.
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class SqliteTemplate:
    """The seeded world in a SQLite file, copied for each test that asks for the world."""

    path: Path
    world: World

    def copy_to(self, folder: Path) -> str:
        target = folder / "casetui.db"
        shutil.copyfile(self.path, target)
        return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    path = tmp_path_factory.mktemp("template") / "world.db"
    seeding = Database(make_engine(f"sqlite:///{path}"), clock=lambda: SEEDED_AT)
    try:
        upgrade(seeding.engine)
        world = make_world(seeding, seeding.clock)
    finally:
        seeding.dispose()  # the last connection to close folds the WAL back into the file
    return SqliteTemplate(path, world)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def db(request: pytest.FixtureRequest, clock: Any, tmp_path: Path) -> Iterator[Database]:
    """A migrated database on each backend, reading time from ``clock`` (overrides the root one).

    A test that asks for the world gets it ready-made (a copied file on SQLite, the seeded rows
    written back on PostgreSQL): several times faster than migrating and seeding per test, and
    the seeding is the same service calls either way.
    """
    seeded = "world" in request.fixturenames and clock() == SEEDED_AT
    request.node.stash[SEEDED] = seeded
    if request.param == "sqlite":
        if seeded:
            url = request.getfixturevalue("sqlite_template").copy_to(tmp_path)
        else:
            url = request.getfixturevalue("sqlite_url")
        database = Database(make_engine(url), clock=clock)
        try:
            if not seeded:
                upgrade(database.engine)
            yield database
        finally:
            database.dispose()
        return
    pg: PgWorkerDatabase = request.getfixturevalue("pg_database")
    pg.reset(seeded=seeded)
    database = Database(make_engine(pg.url), clock=clock)
    try:
        yield database
    finally:
        database.dispose()


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    db: Database
    clock: Any
    admin: Actor
    sam: Actor
    ana: Actor
    ben: Actor
    cara: Actor
    audrey: Actor
    olga: Actor
    north_id: int
    south_id: int
    ana_case: str
    ben_case: str
    cara_case: str
    olga_case: str
    ana_client: int
    ben_client: int
    cara_client: int

    @property
    def is_postgres(self) -> bool:
        return not self.db.is_sqlite

    def run(self, service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call a service as the CLI and the TUI do: it opens its own unit of work."""
        return service(self.db, *args, **kwargs)

    def read(self, query: Callable[[UnitOfWork], T]) -> T:
        """A query in a read-only unit of work; rows come back detached but fully loaded."""
        with self.db.uow(write=False) as uow:
            result = query(uow)
            uow.session.expunge_all()  # else closing the unit of work expires them
            return result

    def note(
        self, actor: Actor, case_number: str, summary: str = "Phoned the client", **fields: Any
    ) -> NoteView:
        fields.setdefault("activity_type", "Phone call")
        return self.run(
            note_service.add_note,
            actor,
            case_number,
            note_service.NoteInput(summary=summary, **fields),
        )

    def raw_note(self, author: Actor, case_number: str, summary: str = "Written earlier") -> int:
        """A note by ``author`` put straight into the table: e.g. written before a reassignment."""
        with self.db.uow() as uow:
            case = CaseRepository(uow.session, self.admin).get_by_number(case_number)
            now = uow.now()
            row = CaseNote(
                case_id=case.id, author_id=author.id, contact_at=now, activity_type="Phone call",
                contact_type="Client", summary=summary, created_at=now, updated_at=now,
            )  # fmt: skip
            uow.session.add(row)
            uow.session.flush()
            note_id = row.id
            uow.commit()
        assert note_id is not None
        return note_id

    def case_id(self, case_number: str) -> int:
        return self.read(
            lambda uow: CaseRepository(uow.session, self.admin).get_by_number(case_number).id
        )

    def staff_row(self, username: str) -> Staff:
        staff = self.read(lambda uow: find_by_username(uow.session, username))
        assert staff is not None
        return staff

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table: comparing two dumps proves nothing was written."""
        with self.db.engine.connect() as conn:
            return {
                table.name: sorted((tuple(row) for row in conn.execute(table.select())), key=repr)
                for table in SQLModel.metadata.sorted_tables
            }

    def audit_events(self) -> list[AuditEvent]:
        return list(
            self.read(
                lambda uow: (
                    uow.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
                )
            )
        )

    def sql(self, statement: str, **params: Any) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(text(statement), params)


def make_world(db: Database, clock: Any) -> World:
    with writing(db, None) as work:
        ensure_defaults(work)
        work.commit()

    def hire(
        actor: Actor | None, username: str, role: str, team: str | None = None, **extra: Any
    ) -> Actor:
        staff_input = staff_service.StaffInput(
            username, username.title(), role=role, team=team, **extra
        )
        view = staff_service.create_staff(db, actor, staff_input)
        with db.uow(write=False) as uow:
            return actor_from(uow.session.get(Staff, view.id))

    admin = hire(None, "admin", "administrator")
    sam = hire(admin, "sam", "supervisor", "North")
    ana = hire(admin, "ana", "caseworker", "North")
    ben = hire(admin, "ben", "caseworker", "North")
    cara = hire(admin, "cara", "caseworker", "South")
    audrey = hire(admin, "audrey", "auditor")
    olga = hire(
        admin,
        "olga",
        "caseworker",
        "North",
        grants=(Grant.BULK_ACTIONS.value, Grant.OVERRIDE_LOCK.value),
    )

    def open_for(worker: Actor, client_name: str) -> tuple[int, str]:
        client_id = client_service.register_client(
            db, worker, client_service.ClientInput(name=client_name)
        )
        detail = case_service.open_case(db, worker, case_service.CaseInput(client_id=client_id))
        return client_id, detail.case_number

    ana_client, ana_case = open_for(ana, "Amal Haddad")
    ben_client, ben_case = open_for(ben, "Bruno Keller")
    cara_client, cara_case = open_for(cara, "Chidi Okafor")
    _, olga_case = open_for(olga, "Olu Adeyemi")
    with db.uow() as uow:
        case = CaseRepository(uow.session, admin).get_by_number(ben_case)
        uow.session.add(CaseNavigator(case_id=case.id, staff_id=ana.id))
        uow.commit()
    assert sam.team_id is not None and cara.team_id is not None
    return World(
        db=db, clock=clock, admin=admin, sam=sam, ana=ana, ben=ben, cara=cara, audrey=audrey, olga=olga,
        north_id=sam.team_id, south_id=cara.team_id,
        ana_case=ana_case, ben_case=ben_case, cara_case=cara_case, olga_case=olga_case,
        ana_client=ana_client, ben_client=ben_client, cara_client=cara_client,
    )  # fmt: skip


@pytest.fixture
def world(request: pytest.FixtureRequest, db: Database, clock: Any) -> World:
    if request.node.stash.get(SEEDED, False):
        source = "sqlite_template" if db.is_sqlite else "pg_database"
        return replace(request.getfixturevalue(source).world, db=db, clock=clock)
    return make_world(db, clock)


@pytest.fixture
def today(clock: Any) -> date:
    """Today in the organisation's time zone (Europe/London: UTC in November)."""
    return clock().date()
