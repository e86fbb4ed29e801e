"""The unit of work: one session, one transaction, committed only when a service says so."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from casetui.db.engine import WRITE_OPTION, is_sqlite, sqlite_path
from casetui.domain.errors import DatabaseUnavailable

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Database:
    """An engine and the clock the services read; handed down from the CLI or the app."""

    engine: Engine
    clock: Clock = system_clock
    _sessions: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(
            self.engine, class_=Session, expire_on_commit=False, autoflush=False
        )

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(str(self.engine.url))

    @property
    def sqlite_file(self) -> Path | None:
        return sqlite_path(str(self.engine.url)) if self.is_sqlite else None

    def uow(self, *, write: bool = True) -> UnitOfWork:
        return UnitOfWork(self.new_session(), self.clock, write=write)

    def new_session(self) -> Session:
        """A session for a unit of work to own (services build theirs on it)."""
        return self._sessions()

    def dispose(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    """``with db.uow() as uow: ...; uow.commit()`` — anything not committed is rolled back."""

    def __init__(self, session: Session, clock: Clock, *, write: bool) -> None:
        self.session = session
        self._clock = clock
        self.write = write
        self._now: datetime | None = None
        # (id, hash) of the newest audit event this transaction knows of; see services.audit.
        self.audit_tail: tuple[int, str] | None = None
        self._before_commit: list[Callable[[], None]] = []

    def __enter__(self) -> Self:
        if self.write and self.session.get_bind().dialect.name == "postgresql":
            # Writers queue on one lock, as SQLite's BEGIN IMMEDIATE makes them: two writes can
            # then never hold each other's rows (no deadlock), and the audit chain stays a line.
            event.listen(self.session, "after_begin", _take_write_lock)
        try:
            if self.write:
                self.session.connection(execution_options={WRITE_OPTION: True})
        except DBAPIError as exc:
            self.session.close()
            if not is_unavailable(exc):
                raise
            raise unavailable(exc) from exc
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.audit_tail = None
        self._before_commit.clear()
        try:
            self.session.rollback()
        except DBAPIError as failed:
            # A connection lost mid-way may refuse the rollback too; the body's error says more.
            if exc is None and is_unavailable(failed):
                raise unavailable(failed) from failed
            if exc is None:
                raise
        finally:
            self.session.close()
        if isinstance(exc, DBAPIError) and is_unavailable(exc):
            raise unavailable(exc) from exc

    def now(self) -> datetime:
        """One instant for the whole unit of work, so every row it writes agrees."""
        if self._now is None:
            self._now = self._clock()
        return self._now

    def before_commit(self, step: Callable[[], None]) -> None:
        """Run ``step`` as the last work of this transaction, when it commits."""
        self._before_commit.append(step)

    def commit(self) -> None:
        steps, self._before_commit = self._before_commit, []
        try:
            for step in steps:
                step()
            self.session.commit()
            self.audit_tail = None  # the chain lock went with the transaction
        except DBAPIError as exc:
            self.audit_tail = None
            # The connection may be gone; the server rolls back what it did not commit.
            with suppress(DBAPIError):
                self.session.rollback()
            if not is_unavailable(exc):
                raise
            # A connection lost during COMMIT leaves unknown whether the server committed.
            raise unavailable(exc, in_doubt=bool(exc.connection_invalidated)) from exc

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name


# Any fixed number: the transaction-scoped PostgreSQL lock every writing unit of work takes.
WRITE_LOCK_KEY = 7_420_001


def _take_write_lock(_session: Session, _transaction: object, connection: Connection) -> None:
    # Only the writing transaction: after it commits, the read that hands back what was saved
    # runs in a new transaction of its own and must not queue behind the next writer (as on
    # SQLite, where it begins DEFERRED). An audit event appended later takes the lock itself.
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})


def _is_sqlite_error(exc: DBAPIError) -> bool:
    return type(exc.orig).__module__.startswith("sqlite3")


def is_unavailable(exc: DBAPIError) -> bool:
    """The database itself failed us (gone, refused, busy), not the statement we sent."""
    return isinstance(exc, OperationalError) or bool(exc.connection_invalidated)


def unavailable(exc: DBAPIError, *, in_doubt: bool = False) -> DatabaseUnavailable:
    """The product's error for ``exc``, saying whether trying again in a moment may work."""
    if exc.connection_invalidated:
        transient = True
    elif _is_sqlite_error(exc):
        # "no such table" is an OperationalError too: only a busy or unopenable file passes.
        words = str(exc.orig).lower()
        transient = any(w in words for w in ("locked", "busy", "unable to open"))
    else:
        transient = True  # PostgreSQL: refused, restarting, shut down, cancelled, deadlocked
    return DatabaseUnavailable(
        describe_operational_error(exc), transient=transient, in_doubt=in_doubt
    )


def describe_operational_error(exc: DBAPIError) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    if "locked" in first or "busy" in first:
        return f"the database is busy (locked by another program): {first}"
    return f"the database could not be reached: {first}"
