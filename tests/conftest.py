"""Database fixtures shared by every test: the same test runs on SQLite and on PostgreSQL.

PostgreSQL tests get a throwaway database of their own (created and dropped here), so they
can run in parallel under pytest-xdist and never touch a database someone else uses.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import URL, make_url

from casetui.db.engine import make_engine
from casetui.db.migrate import upgrade
from casetui.db.uow import Database

# CI replays the same examples every run (a red build is then a real regression, found again
# by rerunning it) and never fails on a slow example; runs elsewhere keep exploring.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

PG_URL_ENV = "CASETUI_TEST_PG_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# A Sunday morning, far enough from month and year ends that date tests see no edge by chance.
DEFAULT_NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test sets and moves; pass it as ``Database(clock=...)``."""

    def __init__(self, now: datetime = DEFAULT_NOW) -> None:
        self.set(now)

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("the clock keeps aware UTC datetimes")
        self.now = now.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        self.now += delta
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def pg_server_url() -> URL:
    """The maintenance database through which throwaway test databases are made."""
    return make_url(os.environ.get(PG_URL_ENV, DEFAULT_PG_URL))


def _libpq_dsn(url: URL, database: str | None = None) -> str:
    plain = url.set(drivername="postgresql")
    if database is not None:
        plain = plain.set(database=database)
    return plain.render_as_string(hide_password=False)


@functools.cache
def _postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None; asked once per test process."""
    url = pg_server_url()
    try:
        with psycopg.connect(_libpq_dsn(url), connect_timeout=5):
            return None
    except psycopg.Error as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        return (
            f"PostgreSQL not reachable at {url.host}:{url.port or 5432}: {detail}; "
            f"start it or set {PG_URL_ENV}"
        )


def require_postgres() -> URL:
    """Skip the test without PostgreSQL; in CI a missing server is a failure, not a skip."""
    problem = _postgres_problem()
    if problem is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
    return pg_server_url()


@pytest.fixture
def postgres_server() -> URL:
    """The server's maintenance URL; skips (or in CI fails) the test when it is unreachable."""
    return require_postgres()


@pytest.fixture
def postgres_url(postgres_server: URL) -> Iterator[str]:
    """A new, empty PostgreSQL database for this test only, dropped afterwards."""
    name = f"casetui_test_{secrets.token_hex(6)}"
    # CREATE/DROP DATABASE cannot run inside a transaction, hence autocommit.
    with psycopg.connect(_libpq_dsn(postgres_server), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq_dsn(postgres_server), autocommit=True) as admin:
            # FORCE ends connections a failed test may have left open.
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet, so the engine creates it as the product does."""
    return f"sqlite:///{tmp_path / 'casetui.db'}"


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty database (no schema) on each backend in turn."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


def _migrated(url: str, clock: FakeClock) -> Iterator[Database]:
    database = Database(make_engine(url), clock=clock)
    try:
        upgrade(database.engine)
        yield database
    finally:
        database.dispose()


@pytest.fixture
def db(database_url: str, clock: FakeClock) -> Iterator[Database]:
    """A migrated database on each backend, reading time from ``clock``."""
    yield from _migrated(database_url, clock)


@pytest.fixture
def sqlite_db(sqlite_url: str, clock: FakeClock) -> Iterator[Database]:
    """A migrated SQLite database, for tests that need not run on PostgreSQL too."""
    yield from _migrated(sqlite_url, clock)
