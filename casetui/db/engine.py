"""Building an engine for a database URL, with the SQLite habits the product relies on."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from casetui.domain.errors import DatabaseUnavailable

SQLITE_BUSY_TIMEOUT_MS = 5000
# One person's app or command: connections kept open between calls, extras opened for a burst
# of calls at once (and closed again), and how long a call waits for one when all are in use
# before it says the database is busy (db/uow.py) instead of hanging.
POOL_SIZE = 2
POOL_MAX_OVERFLOW = 6
POOL_TIMEOUT_S = 10.0
# Execution option a writing unit of work sets on its connection.
WRITE_OPTION = "casetui_write"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database)


def prepare_sqlite_file(path: Path) -> None:
    """Create the file (and its folder) readable by its owner only, before SQLite opens it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        elif stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
    except OSError as exc:  # a name too long, a folder not writable, a file in the way
        reason = exc.strerror or type(exc).__name__
        raise DatabaseUnavailable(f"the database file {path} cannot be used: {reason}") from None


def make_engine(url: str, *, password: str | None = None, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if password is not None and parsed.password is None:
        parsed = parsed.set(password=password)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(
        parsed,
        echo=echo,
        hide_parameters=True,  # values are notes, names and password hashes: never in a log
        pool_pre_ping=True,
        **_pool(),
        # No server-side prepared statements: a transaction-pooling PgBouncer hands each
        # transaction any server connection, where psycopg's (made after 5 runs of a query)
        # do not exist. Planning the app's queries afresh costs nothing measurable.
        connect_args={"connect_timeout": 5, "prepare_threshold": None},
    )


def _pool() -> dict[str, Any]:
    return {
        "pool_size": POOL_SIZE,
        "max_overflow": POOL_MAX_OVERFLOW,
        "pool_timeout": POOL_TIMEOUT_S,
    }


def _sqlite_engine(url: str, echo: bool) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        prepare_sqlite_file(path)
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        # A file's pool is bounded as a server's is; an in-memory database has a pool of one.
        **(_pool() if path is not None else {}),
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy issue BEGIN itself (below) instead of pysqlite's lazy deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if path is not None:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A writing unit of work takes the write lock up front (IMMEDIATE), so two writers
        # queue on busy_timeout instead of one failing half-way with "database is locked";
        # readers stay DEFERRED and never wait for a writer under WAL.
        writing = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine
