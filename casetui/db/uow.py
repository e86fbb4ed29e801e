"""The unit of work: one session, one transaction, committed only when a service says so."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from types import TracebackType
from typing import Any, ParamSpec, Self, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool
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

    def uow(self, *, write: bool = True, alone: bool = False) -> UnitOfWork:
        return UnitOfWork(self.new_session(), self.clock, write=write, alone=alone)

    def new_session(self) -> Session:
        """A session for a unit of work to own (services build theirs on it)."""
        return self._sessions()

    def dispose(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    """``with db.uow() as uow: ...; uow.commit()`` — anything not committed is rolled back.

    On PostgreSQL writers run side by side: each holds the writer lock shared, locks the rows
    it writes (a case's writers queue on the case's row, ``repositories/row_locks.py``), and
    queues for the audit chain only while the server appends its events, as it commits
    (``services/audit.py``, migration 0013). A
    unit of work opened ``alone`` (staff, teams, settings, lists, imports) holds the writer
    lock exclusively: it waits for the writes under way and holds new ones back, as every
    write did before, so the rules it checks across the organisation cannot change under it.
    On SQLite every writer is alone (BEGIN IMMEDIATE).
    """

    def __init__(self, session: Session, clock: Clock, *, write: bool, alone: bool = False) -> None:
        self.session = session
        self._clock = clock
        self.write = write
        self.alone = alone
        self._now: datetime | None = None
        # The audit events this transaction will append to the chain as it commits (their
        # fields but id and hashes, which depend on the chain's tail then); see services.audit.
        self.audit_pending: list[dict[str, Any]] = []
        self._before_commit: list[Callable[[], None]] = []
        self._at_commit: list[Callable[[], None]] = []
        self._committed = False
        self._holds_write_lock = False  # in the transaction under way

    def __enter__(self) -> Self:
        if self.write and self.session.get_bind().dialect.name == "postgresql":
            event.listen(self.session, "after_begin", self._join_the_writers)
        try:
            if self.write:
                self.session.connection(execution_options={WRITE_OPTION: True})
        except PoolTimeout as exc:
            self.session.close()
            raise busy(self.session.get_bind()) from exc
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
        self.audit_pending = []
        self._before_commit.clear()
        self._at_commit.clear()
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
        if isinstance(exc, PoolTimeout):  # a read's first statement waited for a connection
            raise busy(self.session.get_bind()) from exc

    def now(self) -> datetime:
        """One instant for the whole unit of work, so every row it writes agrees."""
        if self._now is None:
            self._now = self._clock()
        return self._now

    def before_commit(self, step: Callable[[], None]) -> None:
        """Run ``step`` as the last work of this transaction, when it commits."""
        self._before_commit.append(step)

    def at_commit(self, step: Callable[[], None]) -> None:
        """Run ``step`` after every other write of the transaction has reached the server, just
        before COMMIT: what holds a lock others queue for (the audit chain's) belongs here, so
        it is held for that moment and not for the whole write."""
        if step not in self._at_commit:
            self._at_commit.append(step)

    def commit(self) -> None:
        steps, self._before_commit = self._before_commit, []
        last, self._at_commit = self._at_commit, []
        committing = False
        try:
            for step in steps:
                step()
            # Every write reaches the server before COMMIT is sent: a connection lost until
            # then left nothing saved (the server rolls it back), and is not in doubt.
            self.session.flush()
            for step in last:
                step()
            committing = True
            self.session.commit()
            self._committed = True
            _commits.set(_commits.get() + 1)
        except DBAPIError as exc:
            self.audit_pending = []  # rolled back with the rest
            # The connection may be gone; the server rolls back what it did not commit.
            with suppress(DBAPIError):
                self.session.rollback()
            if not is_unavailable(exc):
                raise
            # A connection lost during COMMIT leaves unknown whether the server committed.
            in_doubt = committing and bool(exc.connection_invalidated)
            raise unavailable(exc, in_doubt=in_doubt) from exc

    def _join_the_writers(
        self, _session: Session, _transaction: object, connection: Connection
    ) -> None:
        self._holds_write_lock = False
        if not self._committed:
            self._take_write_lock(connection)
            return
        # After a commit the unit of work reads back what it saved (the view a service
        # returns): that need not wait for an exclusive writer. Should it write once more,
        # it takes the lock before its first statement that writes.
        self._lock_before_writing(connection)

    def _take_write_lock(self, connection: Connection) -> None:
        connection.exec_driver_sql(_write_lock_sql(alone=self.alone), (WRITE_LOCK_KEY,))
        self._holds_write_lock = True

    def _lock_before_writing(self, connection: Connection) -> None:
        """On a transaction begun without the writer lock: take it before the first statement
        that writes (it then lasts to the end of the transaction)."""

        def before(_conn: Connection, cursor: Any, statement: str, *rest: Any) -> None:
            context = rest[1]
            writes = context is not None and (
                context.isinsert or context.isupdate or context.isdelete
            )
            if not self._holds_write_lock and (
                writes or statement.lstrip()[:6].upper().startswith(_WRITING)
            ):
                # Straight on the cursor: this hook must not run again for it.
                cursor.connection.execute(_write_lock_sql(alone=self.alone), (WRITE_LOCK_KEY,))
                self._holds_write_lock = True

        # On this Connection only, which the session uses for this one transaction.
        event.listen(connection, "before_cursor_execute", before)

    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name


# Any fixed numbers: transaction-scoped PostgreSQL locks. Every writing unit of work holds the
# writer lock, shared (exclusive when it writes alone); the audit chain's is held by one
# transaction at a time while the server appends its events, as it commits (migration 0013's
# audit_append, which names the number itself).
WRITE_LOCK_KEY = 7_420_001
AUDIT_CHAIN_KEY = 7_420_002


def _write_lock_sql(*, alone: bool) -> str:
    taking = "pg_advisory_xact_lock" if alone else "pg_advisory_xact_lock_shared"
    return f"SELECT {taking}(%s)"


_WRITING = ("INSERT", "UPDATE", "DELETE", "MERGE")


# PostgreSQL's answer when two transactions each held what the other waited for (one of them
# is rolled back), or could not be run as if one after the other.
_COLLIDED = {"40P01", "40001"}


class WritersCollided(DatabaseUnavailable):
    """A deadlock or serialisation failure: nothing was saved, and running the same unit of
    work again will do (``retry_collisions``)."""


def collided(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) in _COLLIDED


# Commits made in this thread (or task): a service that committed anything is not run again.
_commits: ContextVar[int] = ContextVar("casetui_commits", default=0)

P = ParamSpec("P")
R = TypeVar("R")

COLLISION_TRIES = 4


def retry_collisions(service: Callable[P, R]) -> Callable[P, R]:
    """Run a write service again when PostgreSQL rolled its unit of work back for a deadlock:
    the person never sees it. The service must open its own units of work (every public
    service does), so a second run starts afresh; one that had committed something before
    the deadlock is not run again (that would save it twice)."""

    @wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, COLLISION_TRIES + 1):
            before = _commits.get()
            try:
                return service(*args, **kwargs)
            except WritersCollided:
                if attempt == COLLISION_TRIES or _commits.get() != before:
                    raise
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # out of step with the other
        raise AssertionError("unreachable")

    return run


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
    if collided(exc):
        return WritersCollided(describe_operational_error(exc), transient=True, in_doubt=in_doubt)
    return DatabaseUnavailable(
        describe_operational_error(exc), transient=transient, in_doubt=in_doubt
    )


def busy(bind: Engine | Connection) -> DatabaseUnavailable:
    """Every connection this program may open stayed in use for the pool's whole wait."""
    pool = (bind if isinstance(bind, Engine) else bind.engine).pool
    waited = f" for {pool.timeout():g} s" if isinstance(pool, QueuePool) else ""
    return DatabaseUnavailable(
        f"the database is busy: every connection this program may open stayed in use{waited}; "
        "try again in a moment",
        transient=True,
    )


def describe_operational_error(exc: DBAPIError) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    first = text.strip().splitlines()[0] if text.strip() else "unknown error"
    if "locked" in first or "busy" in first:
        return f"the database is busy (locked by another program): {first}"
    return f"the database could not be reached: {first}"
