"""A database that goes away is one product error, saying whether a retry may work.

PostgreSQL going away is simulated on the test's own throwaway database (its connections
ended, new ones refused for a while); the shared server itself is never stopped. The
command line, meeting such a database, says so in one line and exits 1.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from postgres_outage import end_connections, postgres_away
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError

import casetui.db.engine as engine_module
from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database
from casetui.domain.errors import DatabaseUnavailable


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
            server = make_url(postgres_url).set(drivername="postgresql", database="postgres")
            with psycopg.connect(server.render_as_string(False), autocommit=True) as admin:
                end_connections(admin, make_url(postgres_url).database)
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


def _casetui(url: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASETUI_")}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        CASETUI_DB_PASSWORD="unused",  # trust authentication; keeps the keyring notice away
        CASETUI_PASSWORD="unused",
    )
    return subprocess.run(
        [sys.executable, "-m", "casetui", "cases", "list", "--db", url, "--user", "admin"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.postgres
def test_the_command_line_says_in_one_line_that_postgres_is_away(
    postgres_url: str, tmp_path: Path
) -> None:
    engine = make_engine(postgres_url)
    upgrade(engine)
    engine.dispose()
    with postgres_away(postgres_url):
        done = _casetui(postgres_url, tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1
    assert "not currently accepting connections" in done.stderr
    assert "Traceback" not in done.stderr
