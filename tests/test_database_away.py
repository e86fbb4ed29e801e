"""A database that goes away is one product error, saying whether a retry may work.

PostgreSQL going away is simulated on the test's own throwaway database (its connections
ended, new ones refused for a while); the shared server itself is never stopped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError

import casetui.db.engine as engine_module
from casetui.db.engine import make_engine
from casetui.db.uow import Database
from casetui.domain.errors import DatabaseUnavailable


def _admin_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql", database="postgres").render_as_string(False)


@contextmanager
def postgres_away(url: str) -> Iterator[None]:
    """This database refuses new connections and its open ones are ended; back afterwards."""
    name = make_url(url).database
    with psycopg.connect(_admin_dsn(url), autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        try:
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def _select_one(db: Database, *, write: bool) -> int:
    with db.uow(write=write) as uow:
        return uow.session.execute(text("SELECT 1")).scalar_one()


@pytest.mark.postgres
def test_postgres_going_away_and_coming_back(postgres_url: str) -> None:
    db = Database(make_engine(postgres_url))
    try:
        assert _select_one(db, write=True) == 1  # a pooled connection now exists
        with postgres_away(postgres_url):
            for write in (True, False):
                with pytest.raises(DatabaseUnavailable) as away:
                    _select_one(db, write=write)
                assert away.value.worth_retrying
                assert "could not be reached" in str(away.value)
        # The pool's dead connections are noticed and replaced: the next try just works.
        assert _select_one(db, write=True) == 1
        assert _select_one(db, write=False) == 1
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_connection_lost_while_committing_is_in_doubt(postgres_url: str) -> None:
    db = Database(make_engine(postgres_url))
    try:
        with pytest.raises(DatabaseUnavailable) as lost, db.uow() as uow:
            uow.session.execute(text("SELECT 1"))
            with psycopg.connect(_admin_dsn(postgres_url), autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                    (make_url(postgres_url).database,),
                )
            uow.commit()
        # Whether the server committed is unknown: not something to try again blindly.
        assert lost.value.in_doubt and not lost.value.worth_retrying
        assert _select_one(db, write=True) == 1
    finally:
        db.dispose()


def test_a_connection_lost_inside_a_unit_of_work_is_the_database_going_away(
    sqlite_url: str,
) -> None:
    db = Database(make_engine(sqlite_url))
    try:
        with pytest.raises(DatabaseUnavailable) as lost, db.uow(write=False):
            raise InterfaceError(
                "SELECT 1", {}, Exception("the connection is closed"), connection_invalidated=True
            )
        assert lost.value.worth_retrying
    finally:
        db.dispose()


def test_a_locked_sqlite_file_is_worth_retrying(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    db = Database(make_engine(sqlite_url))
    other = sqlite3.connect(make_url(sqlite_url).database, isolation_level=None)
    try:
        assert _select_one(db, write=True) == 1
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(DatabaseUnavailable) as busy:
            _select_one(db, write=True)
        assert busy.value.worth_retrying and "locked by another program" in str(busy.value)
        assert _select_one(db, write=False) == 1, "readers are not held up by a writer"
        other.execute("COMMIT")
        assert _select_one(db, write=True) == 1
    finally:
        other.close()
        db.dispose()


def test_a_missing_table_is_not_worth_retrying(sqlite_url: str) -> None:
    db = Database(make_engine(sqlite_url))
    try:
        with pytest.raises(DatabaseUnavailable) as broken, db.uow(write=False) as uow:
            uow.session.execute(text("SELECT * FROM no_such_table"))
        assert not broken.value.worth_retrying
    finally:
        db.dispose()
